// One emitter per event kind: the only way the model writes the trace. Each takes the event's
// fields by name and puts them in the columns traceFormat.ts documents for that kind, so a
// producer never needs to know which of a / b / c a field lives in. The reader side is
// traceReader.ts (readTraceEvent and the column accessors); traceEmitters.test.ts round-trips
// every kind through both.
//
// The walk's emitters (DirChecked, LeafChecked, AccelRemovalCheck) run up to millions of times per
// step: they take addresses as 32-bit halves and are small enough for V8 to inline, so the object
// literal a caller passes is never allocated (measured with `npm run bench`).

import type {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  HostCallOp,
  LeafOutcome,
  PcType,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
} from './traceFormat.ts';
import { QemuFn, TraceKind } from './traceFormat.ts';
import type { TraceBuilder } from './traceBuilder.ts';

/** Both halves of NO_ADDR. */
const NONE = 0xffff_ffff;
const GUEST = QemuFn.guest;
const INV_DESC = QemuFn.vtd_process_inv_desc;
const WAIT_DESC = QemuFn.vtd_process_wait_desc;
const CONTEXT_CACHE_DESC = QemuFn.vtd_process_context_cache_desc;
const PASID_DESC = QemuFn.vtd_process_pasid_desc;
const GET_PE_FROM_PASID = QemuFn.vtd_dev_get_pe_from_pasid;
const DELETE_PC = QemuFn.vtd_accel_delete_pc;
const REPLAY_ALL = QemuFn.vtd_replay_pasid_bindings_all;

/** A 64-bit guest address as two 32-bit halves (the walk's form: no bigint per event). */
export interface AddrHalves {
  readonly addrHi: number;
  readonly addrLo: number;
}

/** The device an event is about: an index into Trace.devices. */
interface OnDevice {
  readonly device: number;
}

// Scenario steps (the guest's own actions).

export function emitStepWrite(t: TraceBuilder, e: { addr: bigint; qwords: number }): number {
  return t.pushBig(TraceKind.StepWrite, GUEST, -1, 0, e.qwords, e.addr, 0, 0, 0);
}

export function emitStepClearIqe(t: TraceBuilder): number {
  return t.pushNoAddr(TraceKind.StepClearIqe, GUEST, -1, 0, 0, 0, 0);
}

// The invalidation queue.

export function emitDescFetched(
  t: TraceBuilder,
  e: { typeCode: number; queueWidth: 128 | 256 },
): number {
  // Address 0 rather than NO_ADDR: kept as the trace has always stored it.
  return t.push(TraceKind.DescFetched, INV_DESC, -1, 0, 1, 0, 0, e.typeCode, e.queueWidth, 0);
}

export function emitDescRejected(
  t: TraceBuilder,
  e: { fn: QemuFn; reason: RejectReason; typeCode: number },
): number {
  return t.pushNoAddr(TraceKind.DescRejected, e.fn, -1, 0, e.reason, e.typeCode, 0);
}

export function emitDescBlocked(t: TraceBuilder): number {
  return t.pushNoAddr(TraceKind.DescBlocked, INV_DESC, -1, 0, 0, 0, 0);
}

export function emitDescNoEffect(t: TraceBuilder, e: { fn: QemuFn; typeCode: number }): number {
  return t.pushNoAddr(TraceKind.DescNoEffect, e.fn, -1, 0, e.typeCode, 0, 0);
}

export function emitPcInfoBuilt(
  t: TraceBuilder,
  e: { pcType: PcType; did: number; pasid: number },
): number {
  return t.pushNoAddr(TraceKind.PcInfoBuilt, PASID_DESC, -1, e.pasid, e.pcType, e.did, 0);
}

export function emitWaitStatusWrite(t: TraceBuilder, e: { addr: bigint; data: number }): number {
  return t.pushBig(TraceKind.WaitStatusWrite, WAIT_DESC, -1, 0, 1, e.addr, e.data, 0, 0);
}

export function emitContextCacheInv(
  t: TraceBuilder,
  e: { granularity: number; didOrSourceId: number; functionMask: number },
): number {
  return t.pushNoAddr(
    TraceKind.ContextCacheInv,
    CONTEXT_CACHE_DESC,
    -1,
    0,
    e.granularity,
    e.didOrSourceId,
    e.functionMask,
  );
}

// The emulated PASID cache (vtd_pasid_cache_sync and friends).

export function emitReplayBegin(t: TraceBuilder): number {
  return t.pushNoAddr(TraceKind.ReplayBegin, REPLAY_ALL, -1, 0, 0, 0, 0);
}

/** `device` -1: a sync over every address space; a device: vtd_pasid_cache_devsi. */
export function emitSyncBegin(
  t: TraceBuilder,
  e: { fn: QemuFn; device: number; pcType: PcType; did: number; pasid: number },
): number {
  return t.pushNoAddr(TraceKind.SyncBegin, e.fn, e.device, e.pasid, e.pcType, e.did, 0);
}

export function emitSyncGated(
  t: TraceBuilder,
  e: { fn: QemuFn; device: number; pasid: number; reason: GateReason },
): number {
  return t.pushNoAddr(TraceKind.SyncGated, e.fn, e.device, e.pasid, e.reason, 0, 0);
}

export function emitGuestRead(
  t: TraceBuilder,
  e: OnDevice &
    AddrHalves & { fn: QemuFn; pasid: number; structure: Structure; bytes: number; fault: number },
): number {
  return t.push(
    TraceKind.GuestRead,
    e.fn,
    e.device,
    e.pasid,
    1,
    e.addrHi,
    e.addrLo,
    e.structure,
    e.bytes,
    e.fault,
  );
}

/** `leafReached` false stores NO_ADDR whatever the halves say. */
export function emitLookupResult(
  t: TraceBuilder,
  e: OnDevice & AddrHalves & { pasid: number; fault: number; leafReached: boolean },
): number {
  return t.push(
    TraceKind.LookupResult,
    GET_PE_FROM_PASID,
    e.device,
    e.pasid,
    1,
    e.leafReached ? e.addrHi : NONE,
    e.leafReached ? e.addrLo : NONE,
    e.fault,
    0,
    0,
  );
}

export function emitEmuSkip(
  t: TraceBuilder,
  e: OnDevice & { fn: QemuFn; pasid: number; reason: EmuSkipReason; did: number; fault: number },
): number {
  return t.pushNoAddr(TraceKind.EmuSkip, e.fn, e.device, e.pasid, e.reason, e.did, e.fault);
}

/** `leafReached` false: the words came from an all-zero buffer (source NO_ADDR). */
export function emitEmuCreated(
  t: TraceBuilder,
  e: OnDevice &
    AddrHalves & { fn: QemuFn; pasid: number; leafReached: boolean; fallThrough: boolean },
): number {
  return t.push(
    TraceKind.EmuCreated,
    e.fn,
    e.device,
    e.pasid,
    1,
    e.leafReached ? e.addrHi : NONE,
    e.leafReached ? e.addrLo : NONE,
    0,
    e.fallThrough ? 1 : 0,
    0,
  );
}

export function emitEmuRemoved(
  t: TraceBuilder,
  e: OnDevice & { fn: QemuFn; pasid: number; fault: number },
): number {
  return t.pushNoAddr(TraceKind.EmuRemoved, e.fn, e.device, e.pasid, 0, 0, e.fault);
}

export function emitEmuUnchanged(
  t: TraceBuilder,
  e: OnDevice & { fn: QemuFn; pasid: number },
): number {
  return t.pushNoAddr(TraceKind.EmuUnchanged, e.fn, e.device, e.pasid, 0, 0, 0);
}

export function emitEmuDiffers(
  t: TraceBuilder,
  e: OnDevice & AddrHalves & { fn: QemuFn; pasid: number; leafReached: boolean },
): number {
  return t.push(
    TraceKind.EmuDiffers,
    e.fn,
    e.device,
    e.pasid,
    1,
    e.leafReached ? e.addrHi : NONE,
    e.leafReached ? e.addrLo : NONE,
    0,
    0,
    0,
  );
}

// The accel PASID cache (intel_iommu_accel.c).

export function emitAccelDeviceBegin(t: TraceBuilder, e: OnDevice & { fn: QemuFn }): number {
  return t.pushNoAddr(TraceKind.AccelDeviceBegin, e.fn, e.device, 0, 0, 0, 0);
}

export function emitAccelDeviceSkipped(
  t: TraceBuilder,
  e: OnDevice & { fn: QemuFn; fault: number },
): number {
  return t.pushNoAddr(TraceKind.AccelDeviceSkipped, e.fn, e.device, 0, e.fault, 0, 0);
}

/** One list entry's removal check; extendAccelRemovalRun adds the next entries of a run. */
export function emitAccelRemovalCheck(
  t: TraceBuilder,
  e: OnDevice & {
    fn: QemuFn;
    pasid: number;
    outcome: RemovalOutcome;
    cachedDid: number;
    fault: number;
  },
): number {
  return t.pushNoAddr(
    TraceKind.AccelRemovalCheck,
    e.fn,
    e.device,
    e.pasid,
    e.outcome,
    e.cachedDid,
    e.fault,
  );
}

/** One more list entry with the same outcome in the AccelRemovalCheck run at `index`. */
export function extendAccelRemovalRun(t: TraceBuilder, index: number): void {
  t.extend(index, 1);
}

export function emitAccelBypass(
  t: TraceBuilder,
  e: OnDevice & { fn: QemuFn; pasid: number },
): number {
  return t.pushNoAddr(TraceKind.AccelBypass, e.fn, e.device, e.pasid, 0, 0, 0);
}

export function emitRangeInit(
  t: TraceBuilder,
  e: { fn: QemuFn; start: number; end: number; reason: RangeReason; pasidBits: number },
): number {
  return t.pushNoAddr(TraceKind.RangeInit, e.fn, -1, e.start, e.reason, e.end, e.pasidBits);
}

export function emitRangeClamp(
  t: TraceBuilder,
  e: OnDevice & { fn: QemuFn; start: number; maxPasidLog2: number; pdts: number; end: number },
): number {
  return t.pushNoAddr(TraceKind.RangeClamp, e.fn, e.device, e.start, e.maxPasidLog2, e.pdts, e.end);
}

/** One directory chunk [firstPasid, end); extendDirRun adds the next chunks of a skip run. */
export function emitDirChecked(
  t: TraceBuilder,
  e: OnDevice &
    AddrHalves & {
      fn: QemuFn;
      firstPasid: number;
      end: number;
      outcome: DirOutcome;
      fault: number;
    },
): number {
  return t.push(
    TraceKind.DirChecked,
    e.fn,
    e.device,
    e.firstPasid,
    1,
    e.addrHi,
    e.addrLo,
    e.outcome,
    e.end,
    e.fault,
  );
}

/** One more chunk, ending at `end`, in the DirChecked run at `index`. */
export function extendDirRun(t: TraceBuilder, index: number, end: number): void {
  t.extend(index, 1);
  t.setB(index, end);
}

/** One leaf entry; extendLeafRun / extendLeafFillRun add the next PASIDs of a run. */
export function emitLeafChecked(
  t: TraceBuilder,
  e: OnDevice &
    AddrHalves & {
      fn: QemuFn;
      firstPasid: number;
      outcome: LeafOutcome;
      did: number;
      listCompares: number;
    },
): number {
  return t.push(
    TraceKind.LeafChecked,
    e.fn,
    e.device,
    e.firstPasid,
    1,
    e.addrHi,
    e.addrLo,
    e.outcome,
    e.did,
    e.listCompares,
  );
}

/** One more PASID (same outcome and DID) in the LeafChecked skip run at `index`. */
export function extendLeafRun(t: TraceBuilder, index: number): void {
  t.extend(index, 1);
}

/**
 * One more PASID in the LeafChecked fill run at `index`: same outcome, and compares that follow
 * the run's rule (traceFormat.ts; the caller checks). Its DID may differ from the others'.
 */
export function extendLeafFillRun(t: TraceBuilder, index: number, did: number): void {
  t.extendFillRun(index, did);
}

export function emitAccelRemoved(
  t: TraceBuilder,
  e: OnDevice & { pasid: number; did: number },
): number {
  return t.pushNoAddr(TraceKind.AccelRemoved, DELETE_PC, e.device, e.pasid, e.did, 0, 0);
}

// The host side (host-side.md).

/** One call QEMU made to the host's iommufd; `fn` is the QEMU function making it. */
export function emitHostCall(
  t: TraceBuilder,
  e: OnDevice & {
    fn: QemuFn;
    pasid: number;
    op: HostCallOp;
    id: number;
    ok: boolean;
    flags: number;
    addr?: bigint;
  },
): number {
  const c = (e.ok ? 1 : 0) | ((e.flags & 0x7fff_ffff) << 1);
  return e.addr === undefined
    ? t.pushNoAddr(TraceKind.HostCall, e.fn, e.device, e.pasid, e.op, e.id, c)
    : t.pushBig(TraceKind.HostCall, e.fn, e.device, e.pasid, 1, e.addr, e.op, e.id, c);
}

// The host side of one passthrough device on the iommufd backend: the objects QEMU allocated
// through iommufd (first-stage hwpts and fault queues), which PASID the host kernel has attached
// to which hwpt, and the ids QEMU itself keeps (per accel cache entry in the series, in the
// PASID-0 VTDAddressSpace in the seed). The calls are backends/iommufd.c's
// iommufd_backend_alloc_faultq, iommufd_backend_alloc_hwpt, iommufd_backend_free_id,
// iommufd_backend_invalidate_cache and host_iommu_device_iommufd_attach_hwpt / _detach_hwpt.
//
// The host always succeeds unless the scenario's hostFaults names the call, except an
// invalidation of an id that is not a live first-stage hwpt (id 0 after a failed attach). A failed
// call changes nothing. Ids are per device: 1 is the nesting parent VFIO attached at plug; each
// successful faultq / alloc takes the next one; ids are never reused.
//
// Up to 2^20 PASIDs per device: every per-PASID and per-id record is a typed array that grows by
// doubling, and the call log stores at most `limit` op objects per step (the rest are counted).

import type { HostObject, HostOp, HostDeviceState } from '../run/runTypes.ts';
import type { HostFaultOp } from '../scenario/scenarioTypes.ts';
import type { TraceBuilder } from '../trace/traceBuilder.ts';
import { emitHostCall } from '../trace/traceEmitters.ts';
import { HostCallOp } from '../trace/traceFormat.ts';
import type { QemuFn } from '../trace/traceFormat.ts';

/** The hwpt VFIO attached the device to at plug (the nesting parent with fsts). */
export const DEFAULT_HWPT = 1;
/** IOMMU_HWPT_FAULT_ID_VALID */
export const HWPT_ALLOC_FAULT_ID_VALID = 4;
/** IOMMU_HWPT_ALLOC_PASID */
export const HWPT_ALLOC_PASID = 8;
/** IOMMU_VTD_S1_SRE / IOMMU_VTD_S1_EAFE / IOMMU_VTD_S1_WPE */
export const VTD_S1_SRE = 1;
export const VTD_S1_EAFE = 2;
export const VTD_S1_WPE = 4;
/** IOMMU_VTD_INV_FLAGS_LEAF */
export const VTD_INV_FLAGS_LEAF = 1;

const OBJ_HWPT = 1;
const OBJ_FAULTQ = 2;

function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

function grown<T extends Uint32Array | Uint8Array>(a: T, need: number, make: (n: number) => T): T {
  if (need < a.length) return a;
  let n = Math.max(16, a.length);
  while (n <= need) n *= 2;
  const b = make(n);
  b.set(a);
  return b;
}

/** Host calls traced per step at most (see HostOpLog.traceSlot). */
export const HOST_CALLS_TRACED_PER_STEP = 4096;

/** The host calls of the step being run, as contract objects (capped) plus a count. */
export class HostOpLog {
  private ops: HostOp[] = [];
  private total = 0;
  private traced = 0;
  private readonly limit: number;

  constructor(limit = Infinity) {
    this.limit = limit;
  }

  get length(): number {
    return this.total;
  }

  reset(): void {
    this.ops = [];
    this.total = 0;
    this.traced = 0;
  }

  /** Counts one call; true when it is still to be listed (build the HostOp only then: a 2^20-PASID
   *  sync makes two calls a PASID, and their objects and hex strings were most of its time). */
  claim(): boolean {
    return this.total++ < this.limit;
  }

  /** Lists a call already counted by `claim`. */
  keep(op: HostOp): void {
    this.ops.push(op);
  }

  /** True while this step may still trace a HostCall event. Past HOST_CALLS_TRACED_PER_STEP the
   *  calls are still made, counted and listed (up to `limit`) but not traced, so a global sync over
   *  millions of PASIDs keeps its trace small; the fill runs it coalesces stay whole. */
  traceSlot(): boolean {
    return this.traced++ < HOST_CALLS_TRACED_PER_STEP;
  }

  /** This step's calls (at most `limit`), in QEMU's order. */
  take(): HostOp[] {
    return this.ops;
  }
}

/** The scenario's host faults of the step being run. */
export class HostFaultPlan {
  private byStep: ReadonlyMap<
    number,
    readonly { device: number; pasid: number; op: HostFaultOp }[]
  >;
  private current: readonly { device: number; pasid: number; op: HostFaultOp }[] = [];

  constructor(faults: readonly { step: number; device: number; pasid: number; op: HostFaultOp }[]) {
    const m = new Map<number, { device: number; pasid: number; op: HostFaultOp }[]>();
    for (const f of faults) {
      const list = m.get(f.step) ?? [];
      list.push({ device: f.device, pasid: f.pasid, op: f.op });
      m.set(f.step, list);
    }
    this.byStep = m;
  }

  beginStep(step: number): void {
    this.current = this.byStep.get(step) ?? [];
  }

  fails(device: number, pasid: number, op: HostFaultOp): boolean {
    const cur = this.current;
    if (cur.length === 0) return false;
    for (const f of cur) if (f.device === device && f.pasid === pasid && f.op === op) return true;
    return false;
  }
}

export interface FirstStageAlloc {
  readonly flags: number;
  readonly s1Flags: number;
  readonly addrWidth: number;
  readonly pgtblAddr: bigint;
  readonly faultId: number;
}

/** One iommufd device's host objects and attachments, and the ids QEMU records for it. */
export class IommufdHostDevice {
  readonly device: number;
  readonly bdf: string;
  private readonly log: HostOpLog;
  private readonly faults: HostFaultPlan;
  private readonly trace: TraceBuilder;
  private nextId = DEFAULT_HWPT + 1;
  /** Per object id: OBJ_* type, the PASID it was made for, 1 while not freed. */
  private objType = new Uint8Array(16);
  private objPasid = new Uint32Array(16);
  private objLive = new Uint8Array(16);
  /** Per PASID: the hwpt the host has it attached to (0 = nothing). */
  private attachedTo = new Uint32Array(16);
  /** Series: per PASID with an accel cache entry, the entry's fs_hwpt_id and fault queue id. */
  private entryHwpt = new Uint32Array(16);
  private entryFaultq = new Uint32Array(16);
  /** Seed: the PASID-0 VTDAddressSpace's fs_hwpt_id (survives the entry's removal). */
  asHwpt = 0;

  constructor(
    device: number,
    bdf: string,
    log: HostOpLog,
    faults: HostFaultPlan,
    trace: TraceBuilder,
  ) {
    this.device = device;
    this.bdf = bdf;
    this.log = log;
    this.faults = faults;
    this.trace = trace;
    this.attachedTo[0] = DEFAULT_HWPT;
  }

  private newObject(type: number, pasid: number): number {
    const id = this.nextId++;
    this.objType = grown(this.objType, id, (n) => new Uint8Array(n));
    this.objPasid = grown(this.objPasid, id, (n) => new Uint32Array(n));
    this.objLive = grown(this.objLive, id, (n) => new Uint8Array(n));
    this.objType[id] = type;
    this.objPasid[id] = pasid;
    this.objLive[id] = 1;
    return id;
  }

  private fails(pasid: number, op: HostFaultOp): boolean {
    return this.faults.fails(this.device, pasid, op);
  }

  private emit(
    fn: QemuFn,
    pasid: number,
    op: HostCallOp,
    id: number,
    ok: boolean,
    flags = 0,
    addr?: bigint,
  ): void {
    if (!this.log.traceSlot()) return;
    emitHostCall(this.trace, {
      fn,
      device: this.device,
      pasid,
      op,
      id,
      ok,
      flags,
      ...(addr !== undefined ? { addr } : {}),
    });
  }

  /** iommufd_backend_alloc_faultq; 0 when it failed. `fn` is the QEMU function calling. */
  allocFaultq(fn: QemuFn, pasid: number): number {
    const ok = !this.fails(pasid, 'faultq');
    const id = ok ? this.newObject(OBJ_FAULTQ, pasid) : 0;
    if (this.log.claim()) this.log.keep({ op: 'faultq', bdf: this.bdf, pasid, ok, id });
    this.emit(fn, pasid, HostCallOp.Faultq, id, ok);
    return id;
  }

  /** iommufd_backend_alloc_hwpt of a nested first-stage hwpt; 0 when it failed. */
  allocHwpt(fn: QemuFn, pasid: number, a: FirstStageAlloc): number {
    const ok = !this.fails(pasid, 'alloc');
    const hwpt = ok ? this.newObject(OBJ_HWPT, pasid) : 0;
    this.emit(fn, pasid, HostCallOp.Alloc, hwpt, ok, a.flags, a.pgtblAddr);
    if (this.log.claim())
      this.log.keep({
        op: 'alloc',
        bdf: this.bdf,
        pasid,
        ok,
        hwpt,
        flags: a.flags,
        s1Flags: a.s1Flags,
        addrWidth: a.addrWidth,
        pgtblAddr: hex64(a.pgtblAddr),
        faultId: a.faultId,
      });
    return hwpt;
  }

  /** host_iommu_device_iommufd_attach_hwpt: replaces whatever the PASID had. */
  attach(fn: QemuFn, pasid: number, hwpt: number): boolean {
    const ok = !this.fails(pasid, 'attach');
    if (ok) {
      this.attachedTo = grown(this.attachedTo, pasid, (n) => new Uint32Array(n));
      this.attachedTo[pasid] = hwpt;
    }
    if (this.log.claim()) this.log.keep({ op: 'attach', bdf: this.bdf, pasid, ok, hwpt });
    this.emit(fn, pasid, HostCallOp.Attach, hwpt, ok);
    return ok;
  }

  /** host_iommu_device_iommufd_detach_hwpt: the PASID is left with nothing. */
  detach(fn: QemuFn, pasid: number): boolean {
    const ok = !this.fails(pasid, 'detach');
    if (ok && pasid < this.attachedTo.length) this.attachedTo[pasid] = 0;
    if (this.log.claim()) this.log.keep({ op: 'detach', bdf: this.bdf, pasid, ok });
    this.emit(fn, pasid, HostCallOp.Detach, 0, ok);
    return ok;
  }

  /** iommufd_backend_free_id (void in QEMU: it cannot fail). */
  free(fn: QemuFn, pasid: number, id: number): void {
    if (id < this.objLive.length) this.objLive[id] = 0;
    if (this.log.claim()) this.log.keep({ op: 'free', bdf: this.bdf, pasid, ok: true, id });
    this.emit(fn, pasid, HostCallOp.Free, id, true);
  }

  /** iommufd_backend_invalidate_cache on a first-stage hwpt. */
  invalidate(
    fn: QemuFn,
    pasid: number,
    hwpt: number,
    addr: bigint,
    npages: bigint,
    flags: number,
  ): boolean {
    const live = hwpt < this.objLive.length && this.objLive[hwpt] === 1;
    const ok = live && this.objType[hwpt] === OBJ_HWPT && !this.fails(pasid, 'invalidate');
    if (this.log.claim())
      this.log.keep({
        op: 'invalidate',
        bdf: this.bdf,
        pasid,
        ok,
        hwpt,
        addr: hex64(addr),
        npages: hex64(npages),
        flags,
      });
    this.emit(fn, pasid, HostCallOp.Invalidate, hwpt, ok, flags, addr);
    return ok;
  }

  // ---- what QEMU records (VTDAccelPASIDCacheEntry.fs_hwpt_id / fault ids) ----------------

  entryHwptOf(pasid: number): number {
    return this.entryHwpt[pasid] ?? 0;
  }

  entryFaultqOf(pasid: number): number {
    return this.entryFaultq[pasid] ?? 0;
  }

  setEntryIds(pasid: number, hwpt: number, faultq: number): void {
    if (hwpt || faultq || pasid < this.entryHwpt.length) {
      this.entryHwpt = grown(this.entryHwpt, pasid, (n) => new Uint32Array(n));
      this.entryFaultq = grown(this.entryFaultq, pasid, (n) => new Uint32Array(n));
      this.entryHwpt[pasid] = hwpt;
      this.entryFaultq[pasid] = faultq;
    }
  }

  /**
   * The host state as final.host shows it. `cachedPasids` are the PASIDs that still have an
   * accel cache entry (their ids are still held by QEMU); everything else not freed is leaked,
   * except the seed's address-space id.
   */
  state(cachedPasids: Iterable<number>, limit = Infinity): HostDeviceState {
    const held = new Set<number>();
    if (this.asHwpt) held.add(this.asHwpt);
    for (const p of cachedPasids) {
      const h = this.entryHwptOf(p);
      const q = this.entryFaultqOf(p);
      if (h) held.add(h);
      if (q) held.add(q);
    }
    const attached: Record<string, number> = {};
    let attachedTotal = 0;
    for (let p = 0; p < this.attachedTo.length; p++) {
      const h = this.attachedTo[p] ?? 0;
      if (!h) continue;
      if (attachedTotal++ < limit) attached[String(p)] = h;
    }
    const objects: HostObject[] = [];
    let objectTotal = 0;
    for (let id = DEFAULT_HWPT + 1; id < this.nextId; id++) {
      if (this.objLive[id] !== 1) continue;
      if (objectTotal++ >= limit) continue;
      objects.push({
        id,
        type: this.objType[id] === OBJ_FAULTQ ? 'faultq' : 'hwpt',
        pasid: this.objPasid[id] ?? 0,
        leaked: !held.has(id),
      });
    }
    const truncated = attachedTotal > limit || objectTotal > limit;
    return {
      attached,
      objects,
      ...(truncated ? { totals: { attached: attachedTotal, objects: objectTotal } } : {}),
    };
  }

  /** Ids handed out so far (for tests: ids are never reused). */
  get allocatedIds(): number {
    return this.nextId - DEFAULT_HWPT - 1;
  }
}

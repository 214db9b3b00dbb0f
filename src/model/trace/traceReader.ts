// Reads one trace event back as a typed object (for views and explanations). Only the events a
// view is looking at become objects; the trace itself stays columnar.

import { NO_ADDR, TraceKind } from './traceFormat.ts';
import type {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  LeafOutcome,
  QemuFn,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
  Trace,
} from './traceFormat.ts';

interface Base {
  /** Index of the event in the trace. */
  readonly index: number;
  /** Scenario step the event belongs to. */
  readonly step: number;
  readonly fn: QemuFn;
}

interface OnDevice {
  /** Index into Trace.devices. */
  readonly device: number;
  readonly bdf: string;
}

export type TraceEvent = Base &
  (
    | { readonly kind: 'StepWrite'; readonly addr: bigint; readonly qwords: number }
    | { readonly kind: 'StepClearIqe' }
    | { readonly kind: 'DescFetched'; readonly typeCode: number; readonly queueWidth: number }
    | { readonly kind: 'DescRejected'; readonly reason: RejectReason; readonly typeCode: number }
    | { readonly kind: 'DescBlocked' }
    | { readonly kind: 'DescNoEffect'; readonly typeCode: number }
    | {
        readonly kind: 'PcInfoBuilt';
        readonly pcType: number;
        readonly did: number;
        readonly pasid: number;
      }
    | { readonly kind: 'WaitStatusWrite'; readonly addr: bigint; readonly data: number }
    | {
        readonly kind: 'ContextCacheInv';
        readonly granularity: number;
        /** DID (domain-selective) or source-id (device-selective) */
        readonly didOrSourceId: number;
        readonly functionMask: number;
      }
    | { readonly kind: 'ReplayBegin' }
    | ({
        readonly kind: 'SyncBegin';
        readonly pcType: number;
        readonly did: number;
        readonly pasid: number;
      } & Partial<OnDevice>)
    | ({ readonly kind: 'SyncGated'; readonly reason: GateReason } & Partial<OnDevice>)
    | (OnDevice & {
        readonly kind: 'GuestRead';
        readonly structure: Structure;
        readonly addr: bigint;
        readonly bytes: number;
        /** 0 = the read succeeded */
        readonly fault: number;
        readonly pasid: number;
      })
    | (OnDevice & {
        readonly kind: 'LookupResult';
        readonly fault: number;
        readonly leafAddr: bigint | undefined;
        readonly pasid: number;
      })
    | (OnDevice & {
        readonly kind: 'EmuSkip';
        readonly reason: EmuSkipReason;
        readonly did: number;
        readonly fault: number;
        readonly pasid: number;
      })
    | (OnDevice & {
        readonly kind: 'EmuCreated';
        /** Where the words came from; undefined = an all-zero buffer. */
        readonly source: bigint | undefined;
        /** The series fall-through re-creation. */
        readonly fallThrough: boolean;
        readonly pasid: number;
      })
    | (OnDevice & { readonly kind: 'EmuRemoved'; readonly fault: number; readonly pasid: number })
    | (OnDevice & { readonly kind: 'EmuUnchanged'; readonly pasid: number })
    | (OnDevice & {
        readonly kind: 'EmuDiffers';
        readonly leafAddr: bigint | undefined;
        readonly pasid: number;
      })
    | (OnDevice & { readonly kind: 'AccelDeviceBegin' })
    | (OnDevice & { readonly kind: 'AccelDeviceSkipped'; readonly fault: number })
    | (OnDevice & {
        readonly kind: 'AccelRemovalCheck';
        /** PASID of the first entry of the run (list order). */
        readonly pasid: number;
        /** Entries in this run (consecutive in list order, same outcome). */
        readonly count: number;
        readonly outcome: RemovalOutcome;
        /** Cached DID of the first entry of the run. */
        readonly cachedDid: number;
        readonly fault: number;
      })
    | (OnDevice & { readonly kind: 'AccelBypass'; readonly pasid: number })
    | {
        readonly kind: 'RangeInit';
        readonly start: number;
        readonly end: number;
        readonly reason: RangeReason;
        readonly pasidBits: number;
      }
    | (OnDevice & {
        readonly kind: 'RangeClamp';
        readonly start: number;
        readonly maxPasidLog2: number;
        readonly pdts: number;
        readonly end: number;
      })
    | (OnDevice & {
        readonly kind: 'DirChecked';
        readonly firstPasid: number;
        readonly chunks: number;
        /** End (exclusive) of the last chunk of the run. */
        readonly end: number;
        /** Address of the first directory entry of the run. */
        readonly addr: bigint;
        readonly outcome: DirOutcome;
        readonly fault: number;
      })
    | (OnDevice & {
        readonly kind: 'LeafChecked';
        readonly firstPasid: number;
        readonly count: number;
        /** Address of the first leaf entry of the run. */
        readonly addr: bigint;
        readonly outcome: LeafOutcome;
        /** DID read from memory (of the first entry of a run; 0 when not read). */
        readonly did: number;
        /** Comparisons QEMU's list search made (fill outcomes only). */
        readonly listCompares: number;
      })
    | (OnDevice & { readonly kind: 'AccelRemoved'; readonly pasid: number; readonly did: number })
  );

export type TraceEventKind = TraceEvent['kind'];

/** The scenario step an event belongs to (binary search over stepStart). */
export function stepOfEvent(trace: Trace, index: number): number {
  let lo = 0;
  let hi = Math.max(0, trace.stepStart.length - 2);
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((trace.stepStart[mid] ?? 0) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Events of scenario step `step`: [start, end). */
export function traceStepRange(trace: Trace, step: number): { start: number; end: number } {
  const start = trace.stepStart[step] ?? trace.length;
  const end = trace.stepStart[step + 1] ?? trace.length;
  return { start, end };
}

function optionalAddr(v: bigint): bigint | undefined {
  return v === NO_ADDR ? undefined : v;
}

/** Event i as an object. Throws RangeError outside [0, trace.length). */
export function readTraceEvent(trace: Trace, index: number): TraceEvent {
  if (!Number.isInteger(index) || index < 0 || index >= trace.length) {
    throw new RangeError(`trace event ${index} out of range (length ${trace.length})`);
  }
  const kind = trace.kind[index] ?? 0;
  const fn = (trace.fn[index] ?? 0) as QemuFn;
  const base: Base = { index, step: stepOfEvent(trace, index), fn };
  const device = trace.device[index] ?? -1;
  const dev: OnDevice = { device, bdf: trace.devices[device] ?? '' };
  const maybeDev: Partial<OnDevice> = device >= 0 ? dev : {};
  const pasid = trace.pasid[index] ?? 0;
  const count = trace.count[index] ?? 0;
  const addr = trace.addr[index] ?? 0n;
  const a = trace.a[index] ?? 0;
  const b = trace.b[index] ?? 0;
  const c = trace.c[index] ?? 0;
  switch (kind) {
    case TraceKind.StepWrite:
      return { ...base, kind: 'StepWrite', addr, qwords: count };
    case TraceKind.StepClearIqe:
      return { ...base, kind: 'StepClearIqe' };
    case TraceKind.DescFetched:
      return { ...base, kind: 'DescFetched', typeCode: a, queueWidth: b };
    case TraceKind.DescRejected:
      return { ...base, kind: 'DescRejected', reason: a as RejectReason, typeCode: b };
    case TraceKind.DescBlocked:
      return { ...base, kind: 'DescBlocked' };
    case TraceKind.DescNoEffect:
      return { ...base, kind: 'DescNoEffect', typeCode: a };
    case TraceKind.PcInfoBuilt:
      return { ...base, kind: 'PcInfoBuilt', pcType: a, did: b, pasid };
    case TraceKind.WaitStatusWrite:
      return { ...base, kind: 'WaitStatusWrite', addr, data: a };
    case TraceKind.ContextCacheInv:
      return {
        ...base,
        kind: 'ContextCacheInv',
        granularity: a,
        didOrSourceId: b,
        functionMask: c,
      };
    case TraceKind.ReplayBegin:
      return { ...base, kind: 'ReplayBegin' };
    case TraceKind.SyncBegin:
      return { ...base, ...maybeDev, kind: 'SyncBegin', pcType: a, did: b, pasid };
    case TraceKind.SyncGated:
      return { ...base, ...maybeDev, kind: 'SyncGated', reason: a as GateReason };
    case TraceKind.GuestRead:
      return {
        ...base,
        ...dev,
        kind: 'GuestRead',
        structure: a as Structure,
        addr,
        bytes: b,
        fault: c,
        pasid,
      };
    case TraceKind.LookupResult:
      return {
        ...base,
        ...dev,
        kind: 'LookupResult',
        fault: a,
        leafAddr: optionalAddr(addr),
        pasid,
      };
    case TraceKind.EmuSkip:
      return {
        ...base,
        ...dev,
        kind: 'EmuSkip',
        reason: a as EmuSkipReason,
        did: b,
        fault: c,
        pasid,
      };
    case TraceKind.EmuCreated:
      return {
        ...base,
        ...dev,
        kind: 'EmuCreated',
        source: optionalAddr(addr),
        fallThrough: b === 1,
        pasid,
      };
    case TraceKind.EmuRemoved:
      return { ...base, ...dev, kind: 'EmuRemoved', fault: c, pasid };
    case TraceKind.EmuUnchanged:
      return { ...base, ...dev, kind: 'EmuUnchanged', pasid };
    case TraceKind.EmuDiffers:
      return { ...base, ...dev, kind: 'EmuDiffers', leafAddr: optionalAddr(addr), pasid };
    case TraceKind.AccelDeviceBegin:
      return { ...base, ...dev, kind: 'AccelDeviceBegin' };
    case TraceKind.AccelDeviceSkipped:
      return { ...base, ...dev, kind: 'AccelDeviceSkipped', fault: a };
    case TraceKind.AccelRemovalCheck:
      return {
        ...base,
        ...dev,
        kind: 'AccelRemovalCheck',
        pasid,
        count,
        outcome: a as RemovalOutcome,
        cachedDid: b,
        fault: c,
      };
    case TraceKind.AccelBypass:
      return { ...base, ...dev, kind: 'AccelBypass', pasid };
    case TraceKind.RangeInit:
      return {
        ...base,
        kind: 'RangeInit',
        start: pasid,
        end: b,
        reason: a as RangeReason,
        pasidBits: c,
      };
    case TraceKind.RangeClamp:
      return {
        ...base,
        ...dev,
        kind: 'RangeClamp',
        start: pasid,
        maxPasidLog2: a,
        pdts: b,
        end: c,
      };
    case TraceKind.DirChecked:
      return {
        ...base,
        ...dev,
        kind: 'DirChecked',
        firstPasid: pasid,
        chunks: count,
        end: b,
        addr,
        outcome: a as DirOutcome,
        fault: c,
      };
    case TraceKind.LeafChecked:
      return {
        ...base,
        ...dev,
        kind: 'LeafChecked',
        firstPasid: pasid,
        count,
        addr,
        outcome: a as LeafOutcome,
        did: b,
        listCompares: c,
      };
    case TraceKind.AccelRemoved:
      return { ...base, ...dev, kind: 'AccelRemoved', pasid, did: a };
    default:
      throw new RangeError(`trace event ${index} has unknown kind ${kind}`);
  }
}

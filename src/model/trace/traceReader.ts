// The reading side of the trace (the writing side is traceEmitters.ts):
// - readTraceEvent turns one event into a typed object, a union on `kind` that views switch on
//   exhaustively (default: assertUnreachable), so a new kind is a compile error in every view.
//   Only the events a view is looking at become objects; the trace itself stays columnar.
// - The column accessors below read one field of event i without making an object, for the
//   loops that scan every event of a 2^20-PASID walk (indexes, costs, the walk's grid).

import { LeafOutcome, NO_ADDR, TraceKind } from './traceFormat.ts';
import type {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  HostCallOp,
  PcType,
  QemuFn,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
  Trace,
} from './traceFormat.ts';

const LEAF_CREATED = LeafOutcome.Created;

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
        readonly pcType: PcType;
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
        readonly pcType: PcType;
        readonly did: number;
        readonly pasid: number;
      } & Partial<OnDevice>)
    | ({
        readonly kind: 'SyncGated';
        readonly reason: GateReason;
        /** The address space's PASID for vtd_pasid_cache_devsi, else 0. */
        readonly pasid: number;
      } & Partial<OnDevice>)
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
        /** Comparisons QEMU's list search made for the first entry (fill outcomes only). */
        readonly listCompares: number;
        /** Comparisons for the whole run (fill outcomes only; leafListComparesAt per entry). */
        readonly listComparesTotal: number;
      })
    | (OnDevice & { readonly kind: 'AccelRemoved'; readonly pasid: number; readonly did: number })
    | (OnDevice & {
        readonly kind: 'HostCall';
        /** The PASID the call is for. */
        readonly pasid: number;
        readonly op: HostCallOp;
        /** faultq / alloc / free: the object id (0: allocation failed); attach / invalidate: the hwpt. */
        readonly id: number;
        /** What QEMU saw. */
        readonly ok: boolean;
        /** alloc: IOMMU_HWPT_ALLOC_* flags; invalidate: LEAF; else 0. */
        readonly flags: number;
        /** alloc: page-table pointer; invalidate: first address; else NO_ADDR. */
        readonly addr: bigint;
      })
  );

export type TraceEventKind = TraceEvent['kind'];

/** The event of one kind (e.g. `TraceEventOf<'LeafChecked'>`). */
export type TraceEventOf<K extends TraceEventKind> = Extract<TraceEvent, { readonly kind: K }>;

/**
 * The default of an exhaustive switch: `x` has type never when every case is handled, so a kind
 * added later fails to compile here. At run time (a corrupt trace) it throws.
 */
export function assertUnreachable(x: never, what = 'value'): never {
  throw new RangeError(`unexpected ${what} ${String(x)}`);
}

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
  const kind = (trace.kind[index] ?? 0) as TraceKind;
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
      return { ...base, kind: 'PcInfoBuilt', pcType: a as PcType, did: b, pasid };
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
      return { ...base, ...maybeDev, kind: 'SyncBegin', pcType: a as PcType, did: b, pasid };
    case TraceKind.SyncGated:
      return { ...base, ...maybeDev, kind: 'SyncGated', reason: a as GateReason, pasid };
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
        did: leafDidAt(trace, index, 0),
        listCompares: c,
        listComparesTotal: leafListComparesTotal(trace, index),
      };
    case TraceKind.AccelRemoved:
      return { ...base, ...dev, kind: 'AccelRemoved', pasid, did: a };
    case TraceKind.HostCall:
      return {
        ...base,
        ...dev,
        kind: 'HostCall',
        pasid,
        op: a as HostCallOp,
        id: b,
        ok: (c & 1) === 1,
        flags: c >>> 1,
        addr,
      };
    default:
      return assertUnreachable(kind, `kind of trace event ${index.toString()}:`);
  }
}

/** Event i, which the caller knows to be of kind `kind` (a frame found by kind); throws if not. */
export function readTraceEventOf<K extends TraceEventKind>(
  trace: Trace,
  index: number,
  kind: K,
): TraceEventOf<K> {
  const e = readTraceEvent(trace, index);
  if (e.kind !== kind) throw new RangeError(`trace event ${index.toString()} is a ${e.kind}`);
  return e as TraceEventOf<K>;
}

// Column accessors: one field of event i, by name. The column each reads is the one
// traceFormat.ts documents and traceEmitters.ts writes.

export function eventKind(trace: Trace, i: number): TraceKind {
  return (trace.kind[i] ?? 0) as TraceKind;
}

export function eventFn(trace: Trace, i: number): QemuFn {
  return (trace.fn[i] ?? 0) as QemuFn;
}

/** Index into Trace.devices; -1 for an event about no device. */
export function eventDevice(trace: Trace, i: number): number {
  return trace.device[i] ?? -1;
}

/** The PASID an event is about; the first PASID of a run; the start of a range. */
export function eventPasid(trace: Trace, i: number): number {
  return trace.pasid[i] ?? 0;
}

/** How many chunks / PASIDs / list entries a run event stands for (1 for a single event). */
export function eventRunLength(trace: Trace, i: number): number {
  return Math.max(1, trace.count[i] ?? 1);
}

/** The guest address an event carries (of the first entry of a run); undefined for none. */
export function eventAddr(trace: Trace, i: number): bigint | undefined {
  return optionalAddr(trace.addr[i] ?? NO_ADDR);
}

/** LeafChecked: what happened to the entry (the whole run). */
export function leafOutcome(trace: Trace, i: number): LeafOutcome {
  return (trace.a[i] ?? 0) as LeafOutcome;
}

/** Created, Updated, Unchanged: vtd_accel_fill_pc ran (and searched the list). */
function isFillOutcome(outcome: number): boolean {
  return outcome >= LEAF_CREATED;
}

/** LeafChecked: the DID read from memory of the run's entry k (0 when not read). */
export function leafDidAt(trace: Trace, i: number, k: number): number {
  const b = trace.b[i] ?? 0;
  if ((trace.count[i] ?? 1) > 1 && isFillOutcome(trace.a[i] ?? 0)) {
    return trace.fillDids[b + k] ?? 0;
  }
  return b;
}

/** LeafChecked: the DID of the first entry of a run (all of a skip run's). */
export function leafDid(trace: Trace, i: number): number {
  return leafDidAt(trace, i, 0);
}

/** LeafChecked: comparisons QEMU's list search made for the run's first entry (fills only). */
export function leafListCompares(trace: Trace, i: number): number {
  return trace.c[i] ?? 0;
}

/**
 * LeafChecked: comparisons for the run's entry k. A run of creations lengthens the list by one
 * per entry; in a run of updates or unchanged entries each is one closer to the head.
 */
export function leafListComparesAt(trace: Trace, i: number, k: number): number {
  const outcome = trace.a[i] ?? 0;
  const c = trace.c[i] ?? 0;
  if (!isFillOutcome(outcome)) return 0;
  return outcome === LEAF_CREATED ? c + k : c - k;
}

/** LeafChecked: comparisons for the whole run (the sum over its entries). */
export function leafListComparesTotal(trace: Trace, i: number): number {
  const outcome = trace.a[i] ?? 0;
  if (!isFillOutcome(outcome)) return 0;
  const n = Math.max(1, trace.count[i] ?? 1);
  const c = trace.c[i] ?? 0;
  const steps = (n * (n - 1)) / 2;
  return outcome === LEAF_CREATED ? n * c + steps : n * c - steps;
}

/** DirChecked: what the directory entry said (the whole run). */
export function dirOutcome(trace: Trace, i: number): DirOutcome {
  return (trace.a[i] ?? 0) as DirOutcome;
}

/** DirChecked: end (exclusive) of the run's last chunk. */
export function dirRunEnd(trace: Trace, i: number): number {
  return trace.b[i] ?? 0;
}

/** DirChecked: fault code (0x50 when the read failed, else 0). */
export function dirFault(trace: Trace, i: number): number {
  return trace.c[i] ?? 0;
}

/** GuestRead: which structure was read. */
export function guestReadStructure(trace: Trace, i: number): Structure {
  return (trace.a[i] ?? 0) as Structure;
}

/** GuestRead: bytes read. */
export function guestReadBytes(trace: Trace, i: number): number {
  return trace.b[i] ?? 0;
}

/** EmuSkip: why the address space was skipped. */
export function emuSkipReason(trace: Trace, i: number): EmuSkipReason {
  return (trace.a[i] ?? 0) as EmuSkipReason;
}

/** AccelRemovalCheck: the run's outcome. */
export function removalOutcome(trace: Trace, i: number): RemovalOutcome {
  return (trace.a[i] ?? 0) as RemovalOutcome;
}

/** AccelDeviceSkipped: fault code of vtd_dev_to_context_entry. */
export function deviceSkippedFault(trace: Trace, i: number): number {
  return trace.a[i] ?? 0;
}

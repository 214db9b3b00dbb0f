// An index over the columnar trace, built once per run in a single pass: where the "frame" events
// are (descriptor fetched, sync begun, device begun, range set...), and every cache change per device.
// With it, the views answer "where is event i" and "what does the cache hold at event i" without
// replaying the trace from the start, so seeking is cheap in both directions and stepping back is
// exact: everything is a function of (trace, i).

import { LeafOutcome, TraceKind, type Trace } from '../../model/index.ts';

/** Kinds that open or frame a part of the timeline; few per step, so kept in one sorted list. */
const FRAME_KINDS: ReadonlySet<number> = new Set<number>([
  TraceKind.StepWrite,
  TraceKind.StepClearIqe,
  TraceKind.DescFetched,
  TraceKind.DescRejected,
  TraceKind.DescBlocked,
  TraceKind.DescNoEffect,
  TraceKind.PcInfoBuilt,
  TraceKind.WaitStatusWrite,
  TraceKind.ContextCacheInv,
  TraceKind.ReplayBegin,
  TraceKind.SyncBegin,
  TraceKind.SyncGated,
  TraceKind.AccelDeviceBegin,
  TraceKind.AccelDeviceSkipped,
  TraceKind.AccelBypass,
  TraceKind.RangeInit,
  TraceKind.RangeClamp,
]);

export const AccelOp = { Created: 1, Updated: 2, Removed: 3 } as const;
export type AccelOp = (typeof AccelOp)[keyof typeof AccelOp];

/** Every change of one device's accel list, in event order. */
export interface AccelChangeLog {
  readonly n: number;
  readonly event: Uint32Array;
  readonly pasid: Uint32Array;
  readonly op: Uint8Array;
  /** The list's length after this change. */
  readonly length: Uint32Array;
}

/** Every change of one address space's emulated entry: EmuCreated / EmuRemoved events. */
export interface EmuChangeLog {
  readonly device: number;
  readonly pasid: number;
  readonly events: readonly number[];
}

export interface TraceIndex {
  readonly trace: Trace;
  readonly frames: Uint32Array;
  readonly accel: readonly AccelChangeLog[];
  /** Keyed `${device}:${pasid}`. */
  readonly emu: ReadonlyMap<string, EmuChangeLog>;
}

class GrowableU32 {
  data: Uint32Array;
  n = 0;
  constructor(capacity = 64) {
    this.data = new Uint32Array(capacity);
  }
  push(v: number): void {
    if (this.n === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n] = v;
    this.n += 1;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.n);
  }
}

class AccelLogBuilder {
  readonly event = new GrowableU32();
  readonly pasid = new GrowableU32();
  readonly op = new GrowableU32();
  readonly length = new GrowableU32();
  private live = 0;
  add(event: number, pasid: number, op: AccelOp): void {
    if (op === AccelOp.Created) this.live += 1;
    else if (op === AccelOp.Removed) this.live = Math.max(0, this.live - 1);
    this.event.push(event);
    this.pasid.push(pasid);
    this.op.push(op);
    this.length.push(this.live);
  }
  build(): AccelChangeLog {
    return {
      n: this.event.n,
      event: this.event.view(),
      pasid: this.pasid.view(),
      op: Uint8Array.from(this.op.view()),
      length: this.length.view(),
    };
  }
}

export function buildTraceIndex(trace: Trace): TraceIndex {
  const frames = new GrowableU32(256);
  const accel = trace.devices.map(() => new AccelLogBuilder());
  const emu = new Map<string, { device: number; pasid: number; events: number[] }>();
  const { kind, a, device, pasid, count } = trace;
  for (let i = 0; i < trace.length; i++) {
    const k = kind[i] ?? 0;
    if (k === TraceKind.LeafChecked) {
      const outcome = a[i];
      if (outcome === LeafOutcome.Created || outcome === LeafOutcome.Updated) {
        const log = accel[device[i] ?? -1];
        if (!log) continue;
        const op = outcome === LeafOutcome.Created ? AccelOp.Created : AccelOp.Updated;
        const first = pasid[i] ?? 0;
        const n = Math.max(1, count[i] ?? 1);
        for (let p = 0; p < n; p++) log.add(i, first + p, op);
      }
      continue;
    }
    if (k === TraceKind.DirChecked) continue;
    if (k === TraceKind.AccelRemoved) {
      accel[device[i] ?? -1]?.add(i, pasid[i] ?? 0, AccelOp.Removed);
      continue;
    }
    if (k === TraceKind.EmuCreated || k === TraceKind.EmuRemoved) {
      const d = device[i] ?? -1;
      const p = pasid[i] ?? 0;
      const key = `${d.toString()}:${p.toString()}`;
      let log = emu.get(key);
      if (!log) {
        log = { device: d, pasid: p, events: [] };
        emu.set(key, log);
      }
      log.events.push(i);
      continue;
    }
    if (FRAME_KINDS.has(k)) frames.push(i);
  }
  return { trace, frames: frames.view(), accel: accel.map((b) => b.build()), emu };
}

/** Index of the last element <= v in a sorted array (-1 if none). */
export function lastAtOrBefore(sorted: ArrayLike<number>, v: number, n = sorted.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The scenario step an event belongs to. */
export function stepOfEvent(trace: Trace, event: number): number {
  const steps = trace.stepStart.length - 1;
  const k = lastAtOrBefore(trace.stepStart, event, steps);
  // Empty steps share a start with the next one: the event belongs to the last of them.
  return Math.max(0, Math.min(steps - 1, k));
}

export function stepCount(trace: Trace): number {
  return Math.max(0, trace.stepStart.length - 1);
}

/** [start, end) events of scenario step k. */
export function stepRange(trace: Trace, step: number): readonly [number, number] {
  return [trace.stepStart[step] ?? trace.length, trace.stepStart[step + 1] ?? trace.length];
}

/**
 * The last frame event of one of `kinds` in [from, event]; undefined when none.
 * Frames are few per step, so the backward scan is short.
 */
export function lastFrame(
  index: TraceIndex,
  event: number,
  from: number,
  kinds: ReadonlySet<number> | number,
): number | undefined {
  const { frames, trace } = index;
  for (let f = lastAtOrBefore(frames, event); f >= 0; f--) {
    const e = frames[f] ?? 0;
    if (e < from) return undefined;
    const k = trace.kind[e] ?? 0;
    if (typeof kinds === 'number' ? k === kinds : kinds.has(k)) return e;
  }
  return undefined;
}

/** The first frame event strictly after `event`, or `limit` when there is none before it. */
export function nextFrameAfter(index: TraceIndex, event: number, limit: number): number {
  const f = lastAtOrBefore(index.frames, event) + 1;
  const e = index.frames[f];
  return e === undefined ? limit : Math.min(e, limit);
}

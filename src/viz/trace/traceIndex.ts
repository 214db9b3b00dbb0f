// An index over the columnar trace, built once per run in a single pass: where the "frame" events
// are (descriptor fetched, sync begun, device begun, range set...), and every cache change per device.
// With it, the views answer "where is event i" and "what does the cache hold at event i" without
// replaying the trace from the start, so seeking is cheap in both directions and stepping back is
// exact: everything is a function of (trace, i).

import {
  LeafOutcome,
  TraceKind,
  eventDevice,
  eventKind,
  eventPasid,
  eventRunLength,
  leafOutcome,
  type Trace,
} from '../../model/core.ts';
import {
  addEventCost,
  totalCost,
  zeroCost,
  type MutableDeviceCost,
  type StepCost,
} from '../cost/costModel.ts';
import { isInteresting, markCode } from './interesting.ts';
import { lastAtOrBefore } from './steps.ts';

export { lastAtOrBefore, stepCount, stepOfEvent, stepRange } from './steps.ts';

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
  /** Events that change a cache, fault, are refused or clamp the range (see interesting.ts). */
  readonly interesting: Uint32Array;
  /** The timeline mark of each interesting event, coded (interesting.ts markCode; 0: none). */
  readonly interestingMark: Uint8Array;
  /** What each scenario step cost, per device. */
  readonly costs: readonly StepCost[];
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

/**
 * Builds the index in slices, so that a trace of millions of events never blocks the page: call
 * `run(shouldYield)` until it returns true, then `result()`.
 */
export class TraceIndexBuilder {
  readonly trace: Trace;
  private next = 0;
  private step = 0;
  private readonly frames = new GrowableU32(256);
  private readonly interesting = new GrowableU32(256);
  private readonly marks = new GrowableU32(256);
  private readonly accel: AccelLogBuilder[];
  private readonly emu = new Map<string, { device: number; pasid: number; events: number[] }>();
  private readonly costs: StepCost[] = [];
  private stepCosts: MutableDeviceCost[];

  constructor(trace: Trace) {
    this.trace = trace;
    this.accel = trace.devices.map(() => new AccelLogBuilder());
    this.stepCosts = trace.devices.map((bdf) => zeroCost(bdf));
  }

  /** Fraction of the events indexed so far. */
  get progress(): number {
    return this.trace.length === 0 ? 1 : this.next / this.trace.length;
  }

  /** Indexes events until `shouldYield()` says stop (checked every few thousand events). */
  run(shouldYield: () => boolean): boolean {
    const { trace, accel, emu, frames, interesting, marks } = this;
    const { stepStart } = trace;
    const steps = stepStart.length - 1;
    while (this.next < trace.length) {
      const stop = Math.min(trace.length, this.next + 4096);
      for (let i = this.next; i < stop; i++) {
        // Close the steps that end here (empty steps too).
        while (this.step < steps && i >= (stepStart[this.step + 1] ?? trace.length))
          this.closeStep();
        addEventCost(this.stepCosts, trace, i);
        if (isInteresting(trace, i)) {
          interesting.push(i);
          marks.push(markCode(trace, i));
        }
        const k = eventKind(trace, i);
        if (k === TraceKind.LeafChecked) {
          const outcome = leafOutcome(trace, i);
          if (outcome === LeafOutcome.Created || outcome === LeafOutcome.Updated) {
            const log = accel[eventDevice(trace, i)];
            if (!log) continue;
            const op = outcome === LeafOutcome.Created ? AccelOp.Created : AccelOp.Updated;
            const first = eventPasid(trace, i);
            const n = eventRunLength(trace, i);
            for (let p = 0; p < n; p++) log.add(i, first + p, op);
          }
          continue;
        }
        if (k === TraceKind.DirChecked) continue;
        if (k === TraceKind.AccelRemoved) {
          accel[eventDevice(trace, i)]?.add(i, eventPasid(trace, i), AccelOp.Removed);
          continue;
        }
        if (k === TraceKind.EmuCreated || k === TraceKind.EmuRemoved) {
          const d = eventDevice(trace, i);
          const p = eventPasid(trace, i);
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
      this.next = stop;
      if (this.next < trace.length && shouldYield()) return false;
    }
    while (this.step < steps) this.closeStep();
    return true;
  }

  private closeStep(): void {
    this.costs.push({ step: this.step, devices: this.stepCosts, total: totalCost(this.stepCosts) });
    this.stepCosts = this.trace.devices.map((bdf) => zeroCost(bdf));
    this.step += 1;
  }

  result(): TraceIndex {
    return {
      trace: this.trace,
      frames: this.frames.view(),
      interesting: this.interesting.view(),
      interestingMark: Uint8Array.from(this.marks.view()),
      accel: this.accel.map((b) => b.build()),
      emu: this.emu,
      costs: this.costs,
    };
  }
}

/** The whole index at once (tests, small traces). */
export function buildTraceIndex(trace: Trace): TraceIndex {
  const builder = new TraceIndexBuilder(trace);
  builder.run(() => false);
  return builder.result();
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
    const k = eventKind(trace, e);
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

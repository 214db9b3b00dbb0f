// The timeline track: one segment per scenario step, each as wide as the log of its event count (so
// a 10-event step stays visible beside a million-event walk), events spread linearly inside their
// step, and marks where something happens (binned per pixel, the most telling state wins).

import { type Scenario, type ScenarioStep, type Trace } from '../../model/core.ts';
import { hex } from '../format.ts';
import { stepCount, stepRange, type TraceIndex } from '../trace/traceIndex.ts';
import { markFromCode } from '../trace/interesting.ts';
import { strongerState, type CellState } from '../walk/cellStates.ts';

export interface TimelineSegment {
  readonly key: string;
  readonly step: number;
  readonly x0: number;
  readonly x1: number;
  /** Events [start, end). */
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

export interface TimelineMarker {
  readonly key: string;
  readonly x: number;
  readonly state: CellState;
}

export interface TimelineModel {
  readonly width: number;
  readonly segments: readonly TimelineSegment[];
  readonly markers: readonly TimelineMarker[];
}

const MIN_SEGMENT_PX = 3;

/** Short label of a scenario step: "write", "DSI 3", "PSI 3 · 0x41", "global", "CC global", "wait". */
export function stepLabel(step: ScenarioStep | undefined): string {
  if (!step) return '';
  switch (step.op) {
    case 'write':
      return 'write';
    case 'clearIqe':
      return 'clear IQE';
    case 'invalidate': {
      const w = step.desc[0] ?? 0n;
      const type = Number((w & 0xfn) | (((w >> 9n) & 0x7n) << 4n));
      const g = Number((w >> 4n) & 3n);
      const did = Number((w >> 16n) & 0xffffn);
      const pasid = Number((w >> 32n) & 0xfffffn);
      switch (type) {
        case 7:
          return g === 0
            ? `DSI ${did.toString()}`
            : g === 1
              ? `PSI ${did.toString()} · ${hex(pasid)}`
              : g === 3
                ? 'global'
                : 'PC G=2';
        case 5:
          return 'wait';
        case 1:
          return g === 1 ? 'CC global' : g === 2 ? `CC DSI ${did.toString()}` : 'CC device';
        default:
          return `type ${type.toString()}`;
      }
    }
  }
}

const cache = new WeakMap<Trace, Map<string, TimelineModel>>();

export function layoutTimeline(
  index: TraceIndex,
  width: number,
  scenario?: Scenario,
): TimelineModel {
  const { trace } = index;
  const w = Math.max(1, Math.floor(width));
  const key = `${w.toString()}:${scenario ? 's' : '-'}`;
  let perTrace = cache.get(trace);
  if (!perTrace) {
    perTrace = new Map();
    cache.set(trace, perTrace);
  }
  const hit = perTrace.get(key);
  if (hit) return hit;

  const steps = stepCount(trace);
  const weights = Array.from({ length: steps }, (_, k) => {
    const [s, e] = stepRange(trace, k);
    return e > s ? 1 + Math.log2(1 + (e - s)) : 0;
  });
  const total = weights.reduce((p, q) => p + q, 0) || 1;
  const nonEmpty = weights.filter((x) => x > 0).length;
  const spare = Math.max(0, w - nonEmpty * MIN_SEGMENT_PX);
  const segments: TimelineSegment[] = [];
  let x = 0;
  for (let k = 0; k < steps; k++) {
    const [start, end] = stepRange(trace, k);
    const weight = weights[k] ?? 0;
    const sw = weight > 0 ? MIN_SEGMENT_PX + (weight / total) * spare : 0;
    segments.push({
      key: `seg:${k.toString()}`,
      step: k,
      x0: x,
      x1: x + sw,
      start,
      end,
      label: stepLabel(scenario?.steps[k]),
    });
    x += sw;
  }

  // Marks: the index's interesting events (sorted), binned per pixel; the most telling state wins.
  const markers: TimelineMarker[] = [];
  let binX = -1;
  let binState: CellState | undefined;
  const flush = (): void => {
    if (binState !== undefined) {
      markers.push({ key: `mk:${binX.toString()}`, x: binX + 0.5, state: binState });
    }
  };
  let seg = 0;
  const { interesting, interestingMark } = index;
  for (let k = 0; k < interesting.length; k++) {
    const i = interesting[k]!;
    while (seg < segments.length - 1 && i >= (segments[seg]?.end ?? 0)) seg += 1;
    const sg = segments[seg];
    if (!sg || sg.end <= sg.start) continue;
    const st = markFromCode(interestingMark[k] ?? 0);
    if (!st) continue;
    const bx = Math.floor(sg.x0 + ((i - sg.start + 0.5) / (sg.end - sg.start)) * (sg.x1 - sg.x0));
    if (bx !== binX) {
      flush();
      binX = bx;
      binState = st;
    } else {
      binState = binState ? strongerState(binState, st) : st;
    }
  }
  flush();
  const model = { width: w, segments, markers };
  perTrace.set(key, model);
  return model;
}

/** x of an event's centre on the track. */
export function eventToX(model: TimelineModel, event: number): number {
  const seg =
    model.segments.find((s) => event >= s.start && event < s.end) ?? model.segments.at(-1);
  if (!seg) return 0;
  const n = Math.max(1, seg.end - seg.start);
  return seg.x0 + ((Math.min(event, seg.end - 1) - seg.start + 0.5) / n) * (seg.x1 - seg.x0);
}

/** The event under x on the track (for scrubbing). */
export function xToEvent(model: TimelineModel, x: number): number {
  const segs = model.segments.filter((s) => s.end > s.start);
  if (segs.length === 0) return 0;
  const seg = segs.find((s) => x < s.x1) ?? segs[segs.length - 1]!;
  const n = seg.end - seg.start;
  const f = (x - seg.x0) / Math.max(1e-9, seg.x1 - seg.x0);
  return seg.start + Math.max(0, Math.min(n - 1, Math.floor(f * n)));
}

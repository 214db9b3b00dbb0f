// Scenario steps in the trace: event i belongs to step k when stepStart[k] <= i < stepStart[k + 1].

import type { Trace } from '../../model/index.ts';

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

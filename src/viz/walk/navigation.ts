// "Next interesting event" navigation: in a 2^20-PASID walk most events are runs of skips; a person
// wants to jump to the next thing that happens — a cache change, a DID mismatch, a fault, a clamp.

import { TraceKind, eventDevice, eventKind, type Trace } from '../../model/core.ts';
import { isInteresting } from '../trace/interesting.ts';
import { stepOfEvent, stepRange } from '../trace/traceIndex.ts';

export { isInteresting };

/** The next interesting event after `from`, or undefined. */
export function nextInteresting(trace: Trace, from: number): number | undefined {
  for (let i = Math.max(0, from + 1); i < trace.length; i++) if (isInteresting(trace, i)) return i;
  return undefined;
}

/** The previous interesting event before `from`, or undefined. */
export function previousInteresting(trace: Trace, from: number): number | undefined {
  for (let i = Math.min(trace.length, from) - 1; i >= 0; i--) if (isInteresting(trace, i)) return i;
  return undefined;
}

/** First event of the next scenario step (the last event when there is none). */
export function nextStepStart(trace: Trace, from: number): number {
  const k = stepOfEvent(trace, from);
  for (let s = k + 1; s < trace.stepStart.length - 1; s++) {
    const [start, end] = stepRange(trace, s);
    if (end > start) return start;
  }
  return Math.max(0, trace.length - 1);
}

/** First event of the current step, or of the previous one when already there. */
export function previousStepStart(trace: Trace, from: number): number {
  let k = stepOfEvent(trace, from);
  const [start] = stepRange(trace, k);
  if (from > start) return start;
  for (k -= 1; k >= 0; k--) {
    const [s, e] = stepRange(trace, k);
    if (e > s) return s;
  }
  return 0;
}

/** The first event of `device` in scenario step `step` (its accel walk if it has one), if any. */
export function deviceStartInStep(trace: Trace, step: number, device: number): number | undefined {
  const [start, end] = stepRange(trace, step);
  let first: number | undefined;
  for (let i = start; i < end; i++) {
    if (eventDevice(trace, i) !== device) continue;
    if (eventKind(trace, i) === TraceKind.AccelDeviceBegin) return i;
    first ??= i;
  }
  return first;
}

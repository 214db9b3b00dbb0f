// How long one step's transition lasts: shorter than the interval between steps while playing, so
// the picture always settles before the next event.

import { EVENTS_PER_SECOND_AT_1X } from '../../state/index.ts';

/** Playing at this speed or faster, steps jump: a transition would not be seen, only paid for. */
export const NO_TRANSITIONS_FROM_SPEED = 4;

/** Transition length for one step at the given playback speed (ms). */
export function stepDuration(playing: boolean, speed: number): number {
  if (!playing) return 320;
  if (speed >= NO_TRANSITIONS_FROM_SPEED) return 0;
  const interval = 1000 / (speed * EVENTS_PER_SECOND_AT_1X);
  return Math.round(Math.min(400, interval * 0.8));
}

// Playback over the trace of the last run. Deliberately minimal: the walk view extends it with its
// animation clock. The cursor is a trace event index in [0, trace.length - 1] (0 for an empty trace).

import type { AppRun } from '../../worker/protocol.ts';
import {
  landingFor,
  landingReason,
  motionAllowed,
  urlNamesStep,
  type PreviousRun,
} from '../landing.ts';
import type { FrameClock } from '../services/frameClock.ts';
import type { SliceCreator } from './types.ts';

export const PLAYBACK_SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;

/** Trace events per second at speed 1× (the walk view's playback rate). */
export const EVENTS_PER_SECOND_AT_1X = 2;

export interface PlaybackSlice {
  readonly cursor: number;
  readonly playing: boolean;
  readonly speed: number;
  readonly seekTo: (index: number) => void;
  readonly stepForward: () => void;
  readonly stepBack: () => void;
  readonly play: () => void;
  readonly pause: () => void;
  readonly setSpeed: (speed: number) => void;
  /** Called by the run slice when a new result arrives: the cursor lands where landing.ts says. */
  readonly onRunLoaded: (run: AppRun) => void;
}

/** The slice over the app's one animation clock (an injected service: tests step a fake one). */
export const createPlaybackSlice =
  (services: { readonly clock: FrameClock }): SliceCreator<PlaybackSlice> =>
  (set, get) =>
    playbackWith(services.clock, set, get);

type SetState = Parameters<SliceCreator<PlaybackSlice>>[0];
type GetState = Parameters<SliceCreator<PlaybackSlice>>[1];

const playbackWith = (clock: FrameClock, set: SetState, get: GetState): PlaybackSlice => {
  const lastIndex = (): number => Math.max(0, (get().run?.result.trace.length ?? 0) - 1);
  const clamp = (i: number): number =>
    Number.isFinite(i) ? Math.min(Math.max(0, Math.trunc(i)), lastIndex()) : 0;

  // Playback clock: while playing, advance the cursor by speed × EVENTS_PER_SECOND_AT_1X events per
  // second of wall time, one frame at a time; a playing clock counts as a running animation, so the
  // idle hook waits for it.
  let cancelFrame: (() => void) | undefined;
  let releaseBusy: (() => void) | undefined;
  let lastFrame = 0;
  let carry = 0;
  // Where a playing clock stops: the end of the trace, or the end of a landing's short play.
  let stopAt = Number.POSITIVE_INFINITY;
  const stopClock = (): void => {
    cancelFrame?.();
    cancelFrame = undefined;
    releaseBusy?.();
    releaseBusy = undefined;
  };
  const tick = (now: number): void => {
    cancelFrame = undefined;
    const s = get();
    if (!s.playing) {
      stopClock();
      return;
    }
    const dt = lastFrame ? Math.min(250, Math.max(0, now - lastFrame)) : 0;
    lastFrame = now;
    carry += (dt / 1000) * s.speed * EVENTS_PER_SECOND_AT_1X;
    const advance = Math.floor(carry);
    if (advance > 0) {
      carry -= advance;
      const next = Math.min(clamp(s.cursor + advance), stopAt);
      if (next >= lastIndex() || next >= stopAt) {
        set({ cursor: next, playing: false });
        stopClock();
        return;
      }
      set({ cursor: next });
    }
    cancelFrame = clock.requestFrame(tick);
  };
  const startClock = (): void => {
    if (cancelFrame) return;
    lastFrame = 0;
    // Start half-way to the next event, so the first step comes after half an interval.
    carry = 0.5;
    releaseBusy ??= get().beginAnimation();
    cancelFrame = clock.requestFrame(tick);
  };

  // The run before this one, to tell why a run came (see landing.ts); and whether the address bar
  // named an exact event at start-up (the walk view seeks there; nothing plays until it has).
  let previous: PreviousRun = { run: undefined, scenario: undefined, source: undefined, cursor: 0 };
  let exactStepPending = urlNamesStep();

  return {
    cursor: 0,
    playing: false,
    speed: 1,
    seekTo: (index) => set({ cursor: clamp(index) }),
    stepForward: () => set({ cursor: clamp(get().cursor + 1) }),
    stepBack: () => set({ cursor: clamp(get().cursor - 1) }),
    play: () => {
      stopAt = Number.POSITIVE_INFINITY;
      if (get().cursor >= lastIndex()) set({ cursor: 0 });
      set({ playing: true });
      startClock();
    },
    pause: () => {
      set({ playing: false });
      stopClock();
    },
    setSpeed: (speed) => {
      if (Number.isFinite(speed) && speed > 0) set({ speed: Math.min(8, Math.max(0.25, speed)) });
    },
    onRunLoaded: (run) => {
      const s = get();
      const scenario = s.runOf ?? s.scenario;
      // The playhead of the previous run is where it is now, not where that run landed.
      const reason = landingReason({ ...previous, cursor: s.cursor }, scenario, s.scenarioSource);
      previous = { run, scenario, source: s.scenarioSource, cursor: s.cursor };
      const landing = landingFor(run, reason, motionAllowed() && !exactStepPending);
      if (exactStepPending && s.loading === 0) exactStepPending = false;
      stopClock();
      set({ cursor: landing.cursor, playing: false });
      if (landing.play !== false) {
        get().play();
        stopAt = landing.play.until;
      }
    },
  };
};

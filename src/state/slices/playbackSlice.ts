// Playback over the trace of the last run. Deliberately minimal: the walk view extends it with its
// animation clock. The cursor is a trace event index in [0, trace.length - 1] (0 for an empty trace).

import type { AppRun } from '../../worker/protocol.ts';
import type { SliceCreator } from './types.ts';

export const PLAYBACK_SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;

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
  /** Called by the run slice when a new result arrives: the cursor goes to the end of the trace. */
  readonly onRunLoaded: (run: AppRun) => void;
}

export const createPlaybackSlice: SliceCreator<PlaybackSlice> = (set, get) => {
  const lastIndex = (): number => Math.max(0, (get().run?.result.trace.length ?? 0) - 1);
  const clamp = (i: number): number =>
    Number.isFinite(i) ? Math.min(Math.max(0, Math.trunc(i)), lastIndex()) : 0;
  return {
    cursor: 0,
    playing: false,
    speed: 1,
    seekTo: (index) => set({ cursor: clamp(index) }),
    stepForward: () => set({ cursor: clamp(get().cursor + 1) }),
    stepBack: () => set({ cursor: clamp(get().cursor - 1) }),
    play: () => {
      if (get().cursor >= lastIndex()) set({ cursor: 0 });
      set({ playing: true });
    },
    pause: () => set({ playing: false }),
    setSpeed: (speed) => {
      if (Number.isFinite(speed) && speed > 0) set({ speed: Math.min(8, Math.max(0.25, speed)) });
    },
    onRunLoaded: (run) =>
      set({ cursor: Math.max(0, run.result.trace.length - 1), playing: false }),
  };
};

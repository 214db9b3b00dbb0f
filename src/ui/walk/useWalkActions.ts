// The walk's commands (walkKeys.ts) bound to the store's playback actions.

import { useMemo } from 'react';
import { PLAYBACK_SPEEDS, useAppStoreApi } from '../../state/index.ts';
import {
  nextInteresting,
  nextStepStart,
  previousInteresting,
  previousStepStart,
} from '../../viz/walk/navigation.ts';
import type { WalkActions } from './walkKeys.ts';

export function useWalkActions(extra: {
  readonly togglePresent: () => void;
  readonly leave: () => void;
}): WalkActions {
  const store = useAppStoreApi();
  const { togglePresent, leave } = extra;
  return useMemo<WalkActions>(() => {
    const s = () => store.getState();
    const traceNow = () => s().run?.result.trace;
    const speedIndex = () => PLAYBACK_SPEEDS.findIndex((v) => v >= s().speed);
    const seek = (e: number | undefined): void => {
      s().pause();
      if (e !== undefined) s().seekTo(e);
    };
    return {
      togglePlay: () => (s().playing ? s().pause() : s().play()),
      stepBack: () => {
        s().pause();
        s().stepBack();
      },
      stepForward: () => {
        s().pause();
        s().stepForward();
      },
      jumpStart: () => seek(0),
      jumpEnd: () => seek(Number.MAX_SAFE_INTEGER),
      faster: () =>
        s().setSpeed(PLAYBACK_SPEEDS[Math.min(PLAYBACK_SPEEDS.length - 1, speedIndex() + 1)] ?? 8),
      slower: () => s().setSpeed(PLAYBACK_SPEEDS[Math.max(0, speedIndex() - 1)] ?? 0.25),
      previousInteresting: () => {
        const t = traceNow();
        seek(t ? previousInteresting(t, s().cursor) : undefined);
      },
      nextInteresting: () => {
        const t = traceNow();
        seek(t ? nextInteresting(t, s().cursor) : undefined);
      },
      previousStep: () => {
        const t = traceNow();
        seek(t ? previousStepStart(t, s().cursor) : undefined);
      },
      nextStep: () => {
        const t = traceNow();
        seek(t ? nextStepStart(t, s().cursor) : undefined);
      },
      togglePresent,
      leave,
    };
  }, [store, togglePresent, leave]);
}

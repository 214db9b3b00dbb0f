// The reviewer's and the teacher's side views: the variant comparison (the scenario under seed,
// series and series-fixed, computed in the engine) and the guest's debugfs view of the tables.
// Both belong to one scenario object; a newer request wins, as for runs. Neither is undoable.

import type { Scenario, Variant } from '../../model/index.ts';
import type { AppComparison, DebugfsDump, EngineError } from '../../worker/protocol.ts';
import type { SliceCreator, StoreServices } from './types.ts';

export type SideStatus = 'idle' | 'running' | 'done' | 'error';

export interface CompareSlice {
  readonly compareOpen: boolean;
  readonly setCompareOpen: (open: boolean) => void;
  /** The last comparison and the scenario object it is of. */
  readonly comparison: { readonly of: Scenario; readonly value: AppComparison } | undefined;
  readonly compareStatus: SideStatus;
  readonly compareError: EngineError | undefined;
  /** Compares the current scenario (nothing to do when the last comparison is of it). */
  readonly requestComparison: () => Promise<void>;

  readonly debugfsOpen: boolean;
  readonly setDebugfsOpen: (open: boolean) => void;
  readonly debugfs:
    | { readonly of: Scenario; readonly step: number | undefined; readonly value: DebugfsDump }
    | undefined;
  readonly debugfsStatus: SideStatus;
  readonly debugfsError: EngineError | undefined;
  /** The dump of the current scenario before step `step` (undefined: after the last step). */
  readonly requestDebugfsDump: (step?: number) => Promise<void>;

  /**
   * Moves the walk view to the start of a step, as the Steps list does; with a variant other than
   * the scenario's, switches to it first (an undoable edit, like the Variant menu) and moves once
   * that run is in. Resolves true when the cursor moved.
   */
  readonly showStep: (step: number, variant?: Variant) => Promise<boolean>;
}

export const createCompareSlice =
  (services: StoreServices): SliceCreator<CompareSlice> =>
  (set, get, api) => {
    let compareGeneration = 0;
    let dumpGeneration = 0;
    // The request in flight, so that asking again for the same scenario waits for it instead of
    // computing the three runs twice.
    let comparing: { of: Scenario; done: Promise<void> } | undefined;

    /** Resolves once the run of the current scenario is in (true), or a run newer than
     * generation `after` has failed (false). */
    const runOfCurrent = (after: number): Promise<boolean> =>
      new Promise((resolve) => {
        const check = (): boolean => {
          const s = get();
          if (s.runOf === s.scenario && s.run) {
            resolve(true);
            return true;
          }
          if (s.runStatus === 'error' && s.runGeneration > after) {
            resolve(false);
            return true;
          }
          return false;
        };
        if (check()) return;
        const unsubscribe = api.subscribe(() => {
          if (check()) unsubscribe();
        });
      });

    return {
      compareOpen: false,
      setCompareOpen: (compareOpen) => set({ compareOpen }),
      comparison: undefined,
      compareStatus: 'idle',
      compareError: undefined,
      requestComparison: () => {
        const scenario = get().scenario;
        if (get().comparison?.of === scenario && get().compareStatus === 'done') {
          return Promise.resolve();
        }
        if (comparing?.of === scenario) return comparing.done;
        const generation = ++compareGeneration;
        set({ compareStatus: 'running' });
        const done = (async () => {
          const answer = await services.engine.compareVariants({ scenario });
          if (generation !== compareGeneration) return;
          comparing = undefined;
          if (answer.ok) {
            set({
              comparison: { of: scenario, value: answer.value },
              compareStatus: 'done',
              compareError: undefined,
            });
          } else {
            set({ compareStatus: 'error', compareError: answer.error });
          }
        })();
        comparing = { of: scenario, done };
        return done;
      },

      debugfsOpen: false,
      setDebugfsOpen: (debugfsOpen) => set({ debugfsOpen }),
      debugfs: undefined,
      debugfsStatus: 'idle',
      debugfsError: undefined,
      requestDebugfsDump: async (step) => {
        const scenario = get().scenario;
        const last = get().debugfs;
        if (last?.of === scenario && last.step === step && get().debugfsStatus === 'done') return;
        const generation = ++dumpGeneration;
        set({ debugfsStatus: 'running' });
        const answer = await services.engine.debugfsDump(
          step === undefined ? { scenario } : { scenario, step },
        );
        if (generation !== dumpGeneration) return;
        if (answer.ok) {
          set({
            debugfs: { of: scenario, step, value: answer.value },
            debugfsStatus: 'done',
            debugfsError: undefined,
          });
        } else {
          set({ debugfsStatus: 'error', debugfsError: answer.error });
        }
      },

      showStep: async (step, variant) => {
        if (variant !== undefined && variant !== get().scenario.variant) {
          const before = get().runGeneration;
          get().setVariant(variant);
          if (!(await runOfCurrent(before))) return false;
        } else if (get().runOf !== get().scenario) {
          return false; // the walk view shows an older run: nothing to move to yet
        }
        const start = get().run?.result.trace.stepStart[step];
        if (start === undefined) return false;
        get().pause();
        get().seekTo(start);
        return true;
      },
    };
  };

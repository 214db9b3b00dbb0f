// The last answer from the engine and the bookkeeping of "latest request wins": every request takes
// the next generation number, and an answer is applied only if no newer request was made since.

import type { Scenario } from '../../model/index.ts';
import type { AppRun, EngineError } from '../../worker/protocol.ts';
import { describeRun } from '../runSummary.ts';
import { LARGE_SCENARIO_WORDS, scenarioWords } from '../scenarioEdits.ts';
import { WARM_RUN_EVENTS, warmRunViews } from '../warmViews.ts';
import { workInSlices, yieldToMain } from '../yieldToMain.ts';
import type { SliceCreator, StoreServices } from './types.ts';

export type RunStatus = 'idle' | 'running' | 'done' | 'error';

export interface RunSlice {
  /** The last successful run (kept while a newer one is computing or after a refused edit). */
  readonly run: AppRun | undefined;
  /** The scenario object `run` was computed from (=== scenario when the result is current). */
  readonly runOf: Scenario | undefined;
  readonly runStatus: RunStatus;
  readonly runError: EngineError | undefined;
  readonly runGeneration: number;
  /** Runs the current scenario; resolves when this request is answered (or superseded). */
  readonly requestRun: () => Promise<void>;
  /** Runs the current scenario soon: edits in one task make one request, and a large scenario is
   * sent in a task of its own (copying its words to the worker is work of its own). */
  readonly queueRun: () => void;
}

export const createRunSlice =
  (services: StoreServices): SliceCreator<RunSlice> =>
  (set, get) => {
    let queued = false;
    return {
      run: undefined,
      runOf: undefined,
      runStatus: 'idle',
      runError: undefined,
      runGeneration: 0,
      async requestRun() {
        const generation = get().runGeneration + 1;
        const scenario = get().scenario;
        set({ runGeneration: generation, runStatus: 'running' });
        const answer = await services.engine.run({ scenario });
        if (get().runGeneration !== generation) return; // a newer request owns the result
        // Cancelled: a newer run took this one's place, so it is no error and its answer is news to
        // no one (the newer run sets the status).
        if (!answer.ok && answer.error.kind === 'cancelled') return;
        if (answer.ok) {
          if (answer.value.result.trace.length > WARM_RUN_EVENTS) {
            // The task that received the answer has paid for its deserialisation already.
            await yieldToMain();
            await workInSlices(warmRunViews(scenario, answer.value));
            // ...and the render that shows the run gets a task of its own too.
            await yieldToMain();
            if (get().runGeneration !== generation) return;
          }
          set({ run: answer.value, runOf: scenario, runStatus: 'done', runError: undefined });
          get().onRunLoaded(answer.value);
          get().announce(describeRun(scenario, answer.value));
        } else {
          set({ runStatus: 'error', runError: answer.error });
          get().announce(`Not run: ${answer.error.message}`);
        }
      },
      queueRun() {
        if (queued) return;
        queued = true;
        const done = services.busy.begin('queued-run');
        const large = scenarioWords(get().scenario) > LARGE_SCENARIO_WORDS;
        void (large ? yieldToMain() : Promise.resolve()).then(() => {
          queued = false;
          done();
          void get().requestRun();
        });
      },
    };
  };

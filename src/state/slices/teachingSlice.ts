// Teaching mode: a guided tour's position (the stop moves the one playhead and names what to
// highlight) and a predict-then-reveal session (the learner's choices per cache entry, answered by
// the model's run). Tours, targets and answers are the model's (src/model/teaching); this slice
// only keeps where the learner is and runs what the answer needs.

import {
  TOURS,
  predictionTargets,
  revealPredictions,
  traceStepRange,
  type EntryFate,
  type PredictionTarget,
  type Reveal,
  type RunResult,
  type Tour,
  type TourHighlight,
} from '../../model/core.ts';
import { appendStep } from '../scenarioEdits.ts';
import type { AppState, SliceCreator, StoreServices } from './types.ts';
import { readTourProgress, saveTourProgress, type TourProgress } from '../tourProgress.ts';

export interface TourPosition {
  readonly name: string;
  /** 0-based stop. */
  readonly stop: number;
  /** The event the stop moved the playhead to; undefined when the preset no longer shows it. */
  readonly event: number | undefined;
}

export interface PredictionSession {
  /** The step asked about (as the run numbers steps). */
  readonly step: number;
  /** 'composer': the invalidation is not in the scenario yet and Reveal submits it. */
  readonly origin: 'composer' | 'quiz';
  readonly question: string | undefined;
  /** The run that answers: the scenario's (quiz) or the scenario with the invalidation (composer). */
  readonly run: RunResult;
  readonly desc: readonly bigint[] | undefined;
  readonly targets: readonly PredictionTarget[];
  readonly choices: ReadonlyMap<string, EntryFate>;
  readonly reveal: Reveal | undefined;
}

export interface TeachingSlice {
  readonly tour: TourPosition | undefined;
  readonly tourProgress: Readonly<Record<string, TourProgress>>;
  /** Opens tour `name` (loading its preset) at stop `at` (0-based; default: where it was left). */
  readonly startTour: (name: string, at?: number) => Promise<boolean>;
  readonly goToStop: (stop: number) => void;
  readonly leaveTour: () => void;
  readonly prediction: PredictionSession | undefined;
  readonly predictionError: string | undefined;
  /** Ask before submitting the composed invalidation (runs the scenario with it appended). */
  readonly predictInvalidation: (desc: readonly bigint[]) => Promise<void>;
  /** Ask about a step already in the scenario (a quiz question or a tour's stop). */
  readonly predictStep: (step: number, question?: string) => void;
  readonly choosePrediction: (key: string, fate: EntryFate) => void;
  readonly revealPrediction: () => void;
  readonly closePrediction: () => void;
}

export function tourNamed(name: string): Tour | undefined {
  return TOURS.find((t) => t.name === name);
}

/** What the current tour stop asks the views to highlight. */
export function selectTourHighlight(s: AppState): TourHighlight | undefined {
  return s.tour ? tourNamed(s.tour.name)?.stops[s.tour.stop]?.highlight : undefined;
}

/** Resolves when the store holds a finished run of its current scenario. */
function runOfCurrentScenario(store: { get: () => AppState; subscribe: Subscribe }) {
  return new Promise<void>((resolve) => {
    const ready = (s: AppState): boolean =>
      s.run !== undefined && s.runOf === s.scenario && s.runStatus !== 'running';
    if (ready(store.get())) {
      resolve();
      return;
    }
    const stop = store.subscribe((s) => {
      if (ready(s) || s.runStatus === 'error') {
        stop();
        resolve();
      }
    });
  });
}

type Subscribe = (listener: (s: AppState) => void) => () => void;

export const createTeachingSlice =
  (services: StoreServices): SliceCreator<TeachingSlice> =>
  (set, get, api) => {
    const showStop = (name: string, stop: number): void => {
      const tour = tourNamed(name);
      const s = get();
      if (!tour || !s.run || !s.runOf) return;
      const k = Math.min(Math.max(0, Math.trunc(stop)), tour.stops.length - 1);
      const event = tour.stops[k]?.find({ scenario: s.runOf, run: s.run.result });
      s.pause();
      if (event !== undefined) s.seekTo(event);
      set({
        tour: { name, stop: k, event },
        tourProgress: saveTourProgress(name, k, tour.stops.length),
      });
      s.announce(`Tour stop ${k + 1} of ${tour.stops.length}: ${tour.stops[k]?.title ?? ''}`);
    };
    return {
      tour: undefined,
      tourProgress: readTourProgress(),
      startTour: async (name, at) => {
        const tour = tourNamed(name);
        if (!tour) {
          get().pushNotice({
            tone: 'warning',
            topic: 'tour',
            title: `There is no tour named "${name}".`,
            detail: `Tours: ${TOURS.map((t) => t.name).join(', ')}.`,
          });
          return false;
        }
        const src = get().scenarioSource;
        const loaded = src.kind === 'preset' && src.name === tour.preset && !src.edited;
        if (!loaded && !(await get().loadPreset(tour.preset))) return false;
        await runOfCurrentScenario({ get, subscribe: (l) => api.subscribe(l) });
        const resume = get().tourProgress[name];
        const start = at ?? (resume && !resume.done ? resume.stop : 0);
        set({ prediction: undefined });
        showStop(name, Number.isFinite(start) ? start : 0);
        return true;
      },
      goToStop: (stop) => {
        const t = get().tour;
        if (t) showStop(t.name, stop);
      },
      leaveTour: () => {
        if (get().tour) get().announce('Tour closed.');
        set({ tour: undefined });
      },

      prediction: undefined,
      predictionError: undefined,
      predictInvalidation: async (desc) => {
        const scenario = appendStep(get().scenario, { op: 'invalidate', desc: [...desc] });
        const answer = await services.engine.run({ scenario });
        if (!answer.ok) {
          set({
            predictionError: `Cannot predict: ${answer.error.message}`,
            prediction: undefined,
          });
          return;
        }
        const run = answer.value.result;
        const step = scenario.steps.length - 1;
        set({
          predictionError: undefined,
          prediction: {
            step,
            origin: 'composer',
            question: undefined,
            run,
            desc: [...desc],
            targets: predictionTargets(run, step),
            choices: new Map(),
            reveal: undefined,
          },
        });
      },
      predictStep: (step, question) => {
        const s = get();
        if (!s.run || s.runOf !== s.scenario || step < 0 || step >= s.run.result.steps.length) {
          set({ predictionError: `Step ${step + 1} has not run yet.` });
          return;
        }
        const run = s.run.result;
        // The caches as the step finds them: its first event, before it has changed anything.
        s.pause();
        s.seekTo(traceStepRange(run.trace, step).start);
        set({
          predictionError: undefined,
          prediction: {
            step,
            origin: 'quiz',
            question,
            run,
            desc: undefined,
            targets: predictionTargets(run, step),
            choices: new Map(),
            reveal: undefined,
          },
        });
      },
      choosePrediction: (key, fate) => {
        const p = get().prediction;
        if (!p || p.reveal) return;
        set({ prediction: { ...p, choices: new Map(p.choices).set(key, fate) } });
      },
      revealPrediction: () => {
        const p = get().prediction;
        if (!p || p.reveal) return;
        const reveal = revealPredictions(p.run, p.step, p.choices);
        set({ prediction: { ...p, reveal } });
        if (p.origin === 'composer' && p.desc) get().submitInvalidation(p.desc);
        else {
          // Show the caches as the step left them.
          const { end } = traceStepRange(p.run.trace, p.step);
          get().pause();
          get().seekTo(Math.max(0, end - 1));
        }
        get().announce(`Revealed: ${reveal.score}.`);
      },
      closePrediction: () => set({ prediction: undefined, predictionError: undefined }),
    };
  };

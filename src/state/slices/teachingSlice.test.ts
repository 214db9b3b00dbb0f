// Teaching state over real presets: a tour loads its preset and moves the one playhead to each
// stop's event, keeps progress in storage and leaves cleanly; a prediction's targets and score come
// from the model's run (a composer prediction runs the scenario with the invalidation appended, and
// Reveal submits it).

import { describe, expect, it } from 'vitest';
import {
  TOURS,
  predictionTargets,
  revealPredictions,
  stepOfEvent,
  targetKey,
  type EntryFate,
} from '../../model/core.ts';
import { createInProcessEngine } from '../testing/inProcessEngine.ts';
import { createAppStore, type AppStore } from '../store.ts';
import { tourNamed } from './teachingSlice.ts';
import { readTourProgress, saveTourProgress, TOUR_PROGRESS_KEY } from '../tourProgress.ts';
import { memoryStorage } from '../testing/fixtures.ts';

const PRESETS = import.meta.glob<string>('../../../public/scenarios/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});

const fetchText = (path: string): Promise<string> => {
  const text = PRESETS[`../../../public/${path}`];
  return text === undefined
    ? Promise.reject(new Error(`${path}: not found`))
    : Promise.resolve(text);
};

function newStore(): AppStore {
  return createAppStore({ engine: createInProcessEngine(), fetchText });
}

describe('tours in the store', () => {
  it('every tour opens on its preset and each stop moves the playhead to its own event', async () => {
    for (const tour of TOURS) {
      const store = newStore();
      expect(await store.getState().startTour(tour.name, 0)).toBe(true);
      await store.idle();
      const s0 = store.getState();
      expect(s0.scenarioSource).toMatchObject({ kind: 'preset', name: tour.preset });
      tour.stops.forEach((stop, k) => {
        store.getState().goToStop(k);
        const s = store.getState();
        const run = s.run?.result;
        const scenario = s.runOf;
        if (!run || !scenario) throw new Error('no run');
        const expected = stop.find({ scenario, run });
        expect(expected, `${tour.name} stop ${k}`).toBeDefined();
        expect(s.tour).toEqual({ name: tour.name, stop: k, event: expected });
        expect(s.cursor).toBe(expected);
        expect(s.playing).toBe(false);
      });
      store.dispose();
    }
  });

  it('clamps stops, refuses unknown tours with a notice, and leaves', async () => {
    const store = newStore();
    expect(await store.getState().startTour('no-such-tour')).toBe(false);
    expect(store.getState().notices.some((n) => n.title.includes('no-such-tour'))).toBe(true);
    const tour = TOURS[0];
    if (!tour) throw new Error('no tours');
    await store.getState().startTour(tour.name, 99);
    expect(store.getState().tour?.stop).toBe(tour.stops.length - 1);
    store.getState().goToStop(-3);
    expect(store.getState().tour?.stop).toBe(0);
    store.getState().leaveTour();
    expect(store.getState().tour).toBeUndefined();
  });
});

describe('tour progress in storage', () => {
  it('remembers the last stop and marks a tour done once its last stop is seen', () => {
    const storage = memoryStorage();
    saveTourProgress('a', 1, 3, storage);
    expect(readTourProgress(storage)).toEqual({ a: { stop: 1, done: false } });
    saveTourProgress('a', 2, 3, storage);
    saveTourProgress('a', 0, 3, storage);
    expect(readTourProgress(storage)).toEqual({ a: { stop: 0, done: true } });
  });

  it('ignores what it cannot read', () => {
    const storage = memoryStorage();
    storage.setItem(TOUR_PROGRESS_KEY, '{not json');
    expect(readTourProgress(storage)).toEqual({});
    storage.setItem(TOUR_PROGRESS_KEY, JSON.stringify({ a: { stop: -1 }, b: 'x', c: { stop: 2 } }));
    expect(readTourProgress(storage)).toEqual({ c: { stop: 2, done: false } });
    expect(readTourProgress(undefined)).toEqual({});
  });
});

describe('predict, then reveal', () => {
  it('a composer prediction asks about the appended step; Reveal scores it and submits it', async () => {
    const tour = tourNamed('why-pasid-selective-misses');
    if (!tour) throw new Error('tour missing');
    const store = newStore();
    expect(await store.getState().loadPreset(tour.preset)).toBe(true);
    await store.idle();
    const before = store.getState().scenario.steps.length;
    // The preset's own last invalidation, asked again.
    const last = [...store.getState().scenario.steps].reverse().find((s) => s.op === 'invalidate');
    if (last?.op !== 'invalidate') throw new Error('no invalidation');
    await store.getState().predictInvalidation(last.desc);
    const p = store.getState().prediction;
    if (!p) throw new Error('no prediction');
    expect(p.step).toBe(before);
    expect(p.targets).toEqual(predictionTargets(p.run, before));
    expect(p.targets.length).toBeGreaterThan(0);
    // Everything "unchanged": the score is what the model's run says it is.
    const guess = new Map<string, EntryFate>(p.targets.map((t) => [targetKey(t), 'unchanged']));
    for (const [k, f] of guess) store.getState().choosePrediction(k, f);
    store.getState().revealPrediction();
    const expected = revealPredictions(p.run, before, guess);
    expect(store.getState().prediction?.reveal).toEqual(expected);
    // A revealed prediction no longer takes choices.
    store.getState().choosePrediction(targetKey(p.targets[0]!), 'removed');
    expect(store.getState().prediction?.reveal).toEqual(expected);
    await store.idle();
    expect(store.getState().scenario.steps.length).toBe(before + 1);
  });

  it('a quiz prediction reads the scenario run and Reveal moves the playhead to the step end', async () => {
    const store = newStore();
    expect(await store.getState().loadPreset('did-mismatch')).toBe(true);
    await store.idle();
    const s = store.getState();
    const step = s.scenario.steps.findIndex((st) => st.op === 'invalidate');
    s.predictStep(step, 'Which DID?');
    expect(store.getState().prediction?.question).toBe('Which DID?');
    // Asking shows the caches as the step finds them.
    expect(store.getState().cursor).toBe(store.getState().run?.result.trace.stepStart[step]);
    store.getState().revealPrediction();
    const after = store.getState();
    const trace = after.run?.result.trace;
    if (!trace) throw new Error('no run');
    expect(stepOfEvent(trace, after.cursor)).toBe(step);
    expect(after.cursor + 1).toBe(trace.stepStart[step + 1] ?? trace.length);
    store.getState().predictStep(10_000);
    expect(store.getState().predictionError).toMatch(/has not run/);
  });
});

// Predict, then reveal, on the bundled presets: the answer comes from the run, and each miss is
// explained by what QEMU did (reasons checked against semantics, not against this code's strings
// beyond their key words).

import { describe, expect, it } from 'vitest';
import didMismatch from '../../../public/scenarios/did-mismatch.json';
import pdtsClamp from '../../../public/scenarios/pdts-clamp.json';
import pgttFsts from '../../../public/scenarios/pgtt-unsupported-fsts.json';
import tornDown from '../../../public/scenarios/torn-down-entry.json';
import { runScenario } from '../run/runScenario.ts';
import type { RunResult } from '../run/runTypes.ts';
import type { Variant } from '../scenario/scenarioTypes.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { EntryFate } from './predictReveal.ts';
import { predictionTargets, revealPredictions, targetKey } from './predictReveal.ts';

function run(file: unknown, variant?: Variant): RunResult {
  const r = parseScenario(file);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return runScenario(r.scenario, variant ? { variant } : {});
}

const predict = (pairs: readonly [string, EntryFate][]) => new Map(pairs);

describe('predict, then reveal', () => {
  it('asks about every entry the step changes or had cached, and scores against the run', () => {
    const r = run(pdtsClamp);
    const targets = predictionTargets(r, 0);
    for (const c of r.steps[0]!.changes) expect(targets.map(targetKey)).toContain(targetKey(c));
    // Predicting exactly the run's changes (and "unchanged" elsewhere) is all right.
    const perfect = new Map<string, EntryFate>(
      targets.map((t): [string, EntryFate] => [
        targetKey(t),
        r.steps[0]!.changes.find((c) => targetKey(c) === targetKey(t))?.kind ?? 'unchanged',
      ]),
    );
    const all = revealPredictions(r, 0, perfect);
    expect(all.score).toBe(`${targets.length} of ${targets.length} right`);
    const [first] = targets;
    const wrong = new Map(perfect).set(targetKey(first!), 'removed');
    const one = revealPredictions(r, 0, wrong);
    expect(one.right).toBe(targets.length - 1);
    expect(one.entries.find((e) => !e.right)?.predicted).toBe('removed');
    // No prediction at all counts as wrong.
    expect(revealPredictions(r, 0, new Map()).right).toBe(0);
  });

  it('the seed never removes a torn-down PASID; the series does', () => {
    const key = 'accel 00:02.0 PASID 7';
    const seed = revealPredictions(run(tornDown, 'seed'), 2, predict([[key, 'removed']]));
    const e = seed.entries.find((x) => targetKey(x) === key)!;
    expect(e).toMatchObject({ actual: 'unchanged', right: false, cachedBefore: true });
    expect(e.reason).toMatch(/seed never removes/);
    expect(e.reason).toMatch(/not present/);
    const series = revealPredictions(run(tornDown, 'series'), 2, predict([[key, 'removed']]));
    expect(series.entries.find((x) => targetKey(x) === key)).toMatchObject({
      actual: 'removed',
      right: true,
    });
  });

  it('explains a miss by the DID filter', () => {
    const r = revealPredictions(
      run(didMismatch),
      0,
      predict([['accel 00:02.0 PASID 5', 'created']]),
    );
    const e = r.entries.find((x) => targetKey(x) === 'accel 00:02.0 PASID 5')!;
    expect(e).toMatchObject({ actual: 'unchanged', right: false });
    expect(e.reason).toMatch(/DID filter: memory holds DID 0x3/);
  });

  it('explains a miss by the PDTS clamp', () => {
    const r = revealPredictions(
      run(pdtsClamp),
      1,
      predict([['accel 00:02.0 PASID 8192', 'created']]),
    );
    const e = r.entries.find((x) => targetKey(x) === 'accel 00:02.0 PASID 8192')!;
    expect(e).toMatchObject({ actual: 'unchanged', right: false });
    expect(e.reason).toMatch(/clamp: the walk of this device ends at PASID 8192/);
  });

  it('explains a miss by the PGTT check', () => {
    const res = run(pgttFsts);
    const rejected = predictionTargets(res, 0).filter(
      (t) =>
        t.cache === 'accel' && !res.steps[0]!.changes.some((c) => targetKey(c) === targetKey(t)),
    );
    expect(rejected.length).toBeGreaterThan(0);
    const r = revealPredictions(res, 0, new Map(rejected.map((t) => [targetKey(t), 'created'])));
    for (const t of rejected) {
      const e = r.entries.find((x) => targetKey(x) === targetKey(t))!;
      expect(e.right).toBe(false);
      expect(e.reason).toMatch(/PGTT rejected|not present/);
    }
    expect(r.entries.some((x) => /PGTT rejected/.test(x.reason))).toBe(true);
  });
});

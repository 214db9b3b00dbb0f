// The optional `quiz` of a scenario file: read, checked against the resolved steps, exported and
// read back intact; a file without one exports without one.

import { describe, expect, it } from 'vitest';
import { parseScenario } from './parseScenario.ts';
import { scenarioToFile } from './scenarioToFile.ts';

const FILE = {
  format: 'pasidscope-scenario',
  version: 1,
  iommu: { rootTableAddr: '0x1000', fsts: false },
  devices: [{ bdf: '00:02.0', backend: 'emulated' }],
  steps: [
    { op: 'linux', action: 'setRootTable' },
    { op: 'write', addr: '0x8000', qwords: ['0x1'] },
    { op: 'invalidate', granularity: 'pasid', did: 3, pasid: 5 },
  ],
};

function errorsOf(file: unknown): string[] {
  const r = parseScenario(file);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('scenario quiz', () => {
  const quiz = {
    title: 'Boot, then one flush',
    questions: [{ step: 2, question: 'What does the PASID-cache global flush do?' }, { step: 7 }],
  };

  it('is read with step indices of the resolved scenario and survives export and re-import', () => {
    const r = parseScenario({ ...FILE, quiz });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings).toEqual([]);
    expect(r.scenario.quiz).toEqual(quiz);
    // setRootTable became six steps; the write is step 6 and the invalidation step 7.
    expect(r.scenario.steps[7]?.op).toBe('invalidate');
    const exported = JSON.parse(JSON.stringify(scenarioToFile(r.scenario))) as Record<
      string,
      unknown
    >;
    expect(exported.quiz).toEqual(quiz);
    const again = parseScenario(exported);
    expect(again.ok && again.scenario).toEqual(r.scenario);
  });

  it('is optional: a scenario without one exports without a quiz key', () => {
    const r = parseScenario(FILE);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.scenario.quiz).toBeUndefined();
    expect('quiz' in scenarioToFile(r.scenario)).toBe(false);
  });

  it('names the question at fault: a missing step, a write, a repeat, a bad shape', () => {
    expect(errorsOf({ ...FILE, quiz: { questions: [{ step: 8 }] } })).toEqual([
      expect.stringMatching(
        /^\$\.quiz\.questions\[0\]\.step: step 8 does not exist: the scenario has 8 steps/,
      ) as unknown,
    ]);
    expect(errorsOf({ ...FILE, quiz: { questions: [{ step: 6 }] } })[0]).toMatch(
      /questions\[0\]\.step: step 6 is a write: only an invalidation can be asked/,
    );
    expect(errorsOf({ ...FILE, quiz: { questions: [{ step: 7 }, { step: 7 }] } })[0]).toMatch(
      /questions\[1\]\.step: step 7 is asked twice/,
    );
    expect(errorsOf({ ...FILE, quiz: { questions: [{ step: 'two' }] } })[0]).toMatch(
      /^\$\.quiz\.questions\[0\]\.step/,
    );
    expect(errorsOf({ ...FILE, quiz: [] })[0]).toMatch(/^\$\.quiz: expected a quiz/);
  });
});

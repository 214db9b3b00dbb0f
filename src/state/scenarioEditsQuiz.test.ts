// Removing a step keeps a shipped quiz asking the same steps.

import { describe, expect, it } from 'vitest';
import type { Scenario } from '../model/index.ts';
import { EMPTY_SCENARIO, removeStep } from './scenarioEdits.ts';

const inv = (n: bigint) => ({ op: 'invalidate' as const, desc: [7n | (n << 16n), 0n] });

describe('removeStep and the quiz', () => {
  it('moves later questions down and drops the removed step’s question', () => {
    const s: Scenario = {
      ...EMPTY_SCENARIO,
      steps: [inv(1n), inv(2n), inv(3n), inv(4n)],
      quiz: { questions: [{ step: 0 }, { step: 1, question: 'q1' }, { step: 3 }] },
    };
    const next = removeStep(s, 1);
    expect(next.quiz).toEqual({ questions: [{ step: 0 }, { step: 2 }] });
    expect(next.steps[2]).toBe(s.steps[3]);
    expect(removeStep({ ...s, quiz: undefined }, 1).quiz).toBeUndefined();
  });
});

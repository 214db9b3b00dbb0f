import { describe, expect, it } from 'vitest';
import { fixtureTrace } from '../trace/traceFixture.ts';
import {
  isInteresting,
  nextInteresting,
  nextStepStart,
  previousInteresting,
  previousStepStart,
} from './navigation.ts';

describe('navigation', () => {
  const trace = fixtureTrace();

  it('jumps over runs of skips to the next change, mismatch or clamp', () => {
    expect(isInteresting(trace, 10)).toBe(false); // 63 leaf entries not present
    expect(nextInteresting(trace, 0)).toBe(4); // emulated DID filter
    expect(nextInteresting(trace, 4)).toBe(7); // the device's range clamp
    expect(nextInteresting(trace, 7)).toBe(9); // PASID 0: DID mismatch
    expect(nextInteresting(trace, 9)).toBe(13); // PASID 0x41 created
    expect(previousInteresting(trace, 13)).toBe(9);
    expect(previousInteresting(trace, 0)).toBeUndefined();
    expect(nextInteresting(trace, trace.length - 1)).toBeUndefined();
  });

  it('moves between scenario steps', () => {
    expect(nextStepStart(trace, 3)).toBe(16);
    expect(nextStepStart(trace, 16)).toBe(17);
    expect(previousStepStart(trace, 20)).toBe(17);
    expect(previousStepStart(trace, 17)).toBe(16);
    expect(previousStepStart(trace, 0)).toBe(0);
  });
});

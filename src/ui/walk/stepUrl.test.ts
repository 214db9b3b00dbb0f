import { describe, expect, it } from 'vitest';
import { shareUrlAtStep, stepFromUrl, withStepInHash, withoutStepInSearch } from './stepUrl.ts';

describe('step in the URL', () => {
  it('reads the step from the fragment or the query', () => {
    expect(stepFromUrl('', '#scenario=1.abc&step=42')).toBe(42);
    expect(stepFromUrl('?preset=linux-boot&step=7', '')).toBe(7);
    expect(stepFromUrl('?step=7', '#step=9')).toBe(9);
    expect(stepFromUrl('', '#step=-1')).toBeUndefined();
    expect(stepFromUrl('', '#step=1e3')).toBeUndefined();
    expect(stepFromUrl('', '')).toBeUndefined();
  });

  it('sets the step beside a share link without touching the scenario', () => {
    expect(withStepInHash('#scenario=1.a+b&step=3', 12)).toBe('#scenario=1.a+b&step=12');
    expect(withStepInHash('', 5)).toBe('#step=5');
    expect(withStepInHash('#step=5', undefined)).toBe('');
    expect(withoutStepInSearch('?preset=x&step=3')).toBe('?preset=x');
    expect(shareUrlAtStep('http://h/p/#scenario=1.xyz', 8)).toBe(
      'http://h/p/#scenario=1.xyz&step=8',
    );
  });
});

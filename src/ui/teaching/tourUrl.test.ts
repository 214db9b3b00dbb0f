import { describe, expect, it } from 'vitest';
import { searchWithTour } from './tourUrl.ts';

describe('a tour in the address bar', () => {
  it('writes the stop from 1 and keeps the other parameters', () => {
    expect(searchWithTour('?present=1', { name: 'x', stop: 0 })).toBe('?present=1&tour=x&at=1');
    expect(searchWithTour('?tour=x&at=1&present=1', { name: 'y', stop: 2 })).toBe(
      '?present=1&tour=y&at=3',
    );
  });
  it('drops the tour when none is open', () => {
    expect(searchWithTour('?tour=x&at=2', undefined)).toBe('');
    expect(searchWithTour('?step=4&tour=x', undefined)).toBe('?step=4');
  });
});

import { describe, expect, it } from 'vitest';
import { WALK_KEYS, WALK_SHORTCUT_ROWS, commandForKey } from './walkKeys.ts';
import { searchWithMode, walkModeFromSearch } from './walkMode.ts';

describe('the walk command table', () => {
  it('gives every key one command, and every command a key', () => {
    const keys = WALK_KEYS.flatMap((k) => k.keys);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of WALK_KEYS) {
      expect(k.keys.length).toBeGreaterThan(0);
      for (const key of k.keys) expect(commandForKey(key)).toBe(k.command);
    }
    expect(commandForKey('x')).toBeUndefined();
  });

  it('feeds the shortcuts dialog from the same rows, in the same order', () => {
    expect(WALK_SHORTCUT_ROWS.map((r) => r[1])).toEqual(WALK_KEYS.map((k) => k.description));
    expect(WALK_SHORTCUT_ROWS[3]).toEqual(['Space (walk view)', 'Play / pause the walk']);
  });

  it('draws the transport buttons in order, first to last event', () => {
    expect(WALK_KEYS.filter((k) => k.button).map((k) => k.command)).toEqual([
      'jumpStart',
      'previousInteresting',
      'stepBack',
      'togglePlay',
      'stepForward',
      'nextInteresting',
      'jumpEnd',
    ]);
  });
});

describe('the walk mode in the URL', () => {
  it('reads present and embed, embed first', () => {
    expect(walkModeFromSearch('?preset=x')).toBe('app');
    expect(walkModeFromSearch('?present=1')).toBe('present');
    expect(walkModeFromSearch('?present=0')).toBe('app');
    expect(walkModeFromSearch('?embed=1&present=1')).toBe('embed');
  });

  it('switches presentation mode keeping the other parameters', () => {
    expect(searchWithMode('?preset=x&motion=off', 'present')).toBe(
      '?preset=x&motion=off&present=1',
    );
    expect(searchWithMode('?preset=x&present=1', 'app')).toBe('?preset=x');
    expect(searchWithMode('?present=1', 'app')).toBe('');
  });
});

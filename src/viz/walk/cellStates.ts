// The visual states of the walk view's cells. Each state has a glyph and a label besides its colour
// (the colours live in CSS, per theme, from the Okabe–Ito colour-blind-safe palette), so that no state
// is told apart by colour alone.

import { DirOutcome, LeafOutcome } from '../../model/core.ts';

export type CellState =
  | 'unvisited'
  | 'in-memory'
  | 'dir-present'
  | 'dir-not-present'
  | 'dir-read-failed'
  | 'fetch-error'
  | 'invalid'
  | 'not-present'
  | 'did-mismatch'
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'differs'
  | 'skipped'
  | 'removed';

export interface CellStyle {
  readonly glyph: string;
  readonly label: string;
}

export const CELL_STYLES: Readonly<Record<CellState, CellStyle>> = {
  unvisited: { glyph: '', label: 'not checked yet, empty in memory' },
  'in-memory': { glyph: '•', label: 'not checked yet, present in guest memory' },
  'dir-present': { glyph: 'P', label: 'directory entry present: its table is walked' },
  'dir-not-present': { glyph: '–', label: 'directory entry not present: 64 PASIDs skipped' },
  'dir-read-failed': { glyph: '×', label: 'directory read failed (fault 0x50): chunk skipped' },
  'fetch-error': { glyph: '×', label: 'leaf read failed (fault 0x58): skipped' },
  invalid: { glyph: '!', label: 'leaf entry rejected by the PGTT / level check (fault 0x5b)' },
  'not-present': { glyph: '–', label: 'leaf entry not present: skipped' },
  'did-mismatch': { glyph: '≠', label: 'DID differs from the invalidation: skipped' },
  created: { glyph: '+', label: 'created: inserted at the list head' },
  updated: { glyph: 'Δ', label: 'updated: cached copy overwritten' },
  unchanged: { glyph: '=', label: 'unchanged: cached copy equals memory' },
  differs: { glyph: '≈', label: 'memory differs: address space switched, cached copy kept' },
  skipped: { glyph: '·', label: 'skipped by the invalidation’s PASID / DID filter' },
  removed: { glyph: '−', label: 'removed from the cache' },
};

/** States in legend order. */
export const LEGEND_STATES: readonly CellState[] = [
  'in-memory',
  'dir-present',
  'dir-not-present',
  'dir-read-failed',
  'fetch-error',
  'invalid',
  'not-present',
  'did-mismatch',
  'created',
  'updated',
  'unchanged',
  'differs',
  'skipped',
  'removed',
];

export function dirOutcomeState(outcome: number, inMemory: boolean): CellState {
  switch (outcome) {
    case DirOutcome.Present:
      return 'dir-present';
    case DirOutcome.NotPresent:
      return 'dir-not-present';
    case DirOutcome.ReadFailed:
      return 'dir-read-failed';
    default:
      return inMemory ? 'in-memory' : 'unvisited';
  }
}

export function leafOutcomeState(outcome: number, inMemory: boolean): CellState {
  switch (outcome) {
    case LeafOutcome.FetchError:
      return 'fetch-error';
    case LeafOutcome.EntryInvalid:
      return 'invalid';
    case LeafOutcome.NotPresent:
      return 'not-present';
    case LeafOutcome.DidMismatch:
      return 'did-mismatch';
    case LeafOutcome.Created:
      return 'created';
    case LeafOutcome.Updated:
      return 'updated';
    case LeafOutcome.Unchanged:
      return 'unchanged';
    default:
      return inMemory ? 'in-memory' : 'unvisited';
  }
}

/** Which of two states a bucket of aggregated cells shows: the more telling one. */
const PRIORITY: Readonly<Record<CellState, number>> = {
  unvisited: 0,
  'dir-not-present': 1,
  'not-present': 1,
  'in-memory': 2,
  unchanged: 3,
  skipped: 3,
  differs: 5,
  'dir-present': 4,
  'did-mismatch': 5,
  updated: 6,
  created: 7,
  removed: 7,
  invalid: 8,
  'fetch-error': 9,
  'dir-read-failed': 9,
};

export function strongerState(p: CellState, q: CellState): CellState {
  return PRIORITY[q] > PRIORITY[p] ? q : p;
}

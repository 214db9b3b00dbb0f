import { describe, expect, it } from 'vitest';
import type { CacheEntryState, Scenario } from '../../model/index.ts';
import type { AppComparison } from '../../state/index.ts';
import {
  comparisonMarkdown,
  describeChange,
  entryFieldDiff,
  entryStateText,
  outcomeText,
  pairRole,
} from './compareText.ts';

// A PASID entry: P=1, PGTT=1 (first-stage), DID in val[1], FSPTPTR in val[2].
const entry = (did: number, fsptptr = 0x100000n): bigint[] => [
  0x49n,
  BigInt(did),
  fsptptr,
  0n,
  0n,
  0n,
  0n,
  0n,
];
const at = (position: number, did: number): CacheEntryState => ({
  present: true,
  valid: true,
  entry: entry(did),
  position,
});

describe('compare words', () => {
  it('names a cache entry by place, DID, type and pointer', () => {
    expect(entryStateText('accel', at(0, 3))).toBe(
      'pos 1 (head) · DID 3 · first-stage · FSPTPTR 0x100000',
    );
    expect(entryStateText('accel', at(2, 3))).toMatch(/^pos 3 · /);
    expect(entryStateText('emulated', { present: true, valid: false, entry: entry(3) })).toMatch(
      /^invalid · /,
    );
    expect(entryStateText('accel', { present: false })).toBe('absent');
  });

  it('lists the fields two entries differ in', () => {
    expect(entryFieldDiff(at(0, 3), at(0, 4))).toEqual(['DID 3 → 4']);
    expect(entryFieldDiff(at(0, 3), { present: false })).toEqual([]);
  });

  it('describes an outcome in one line, capping the changes', () => {
    const changes = [5, 6, 7, 8, 9].map((pasid) => ({
      cache: 'accel' as const,
      bdf: '00:02.0',
      pasid,
      kind: 'created' as const,
    }));
    const text = outcomeText({
      status: 'processed',
      accelWalk: { dirReads: 1, entryReads: 2, listCompares: 3 },
      changes,
      changeCount: 9,
    });
    expect(text).toBe(
      'processed; walk 1 dir / 2 leaf reads, 3 list compares; + accel 00:02.0 PASID 5 created, + accel 00:02.0 PASID 6 created, + accel 00:02.0 PASID 7 created, + accel 00:02.0 PASID 8 created and 5 more',
    );
    expect(describeChange({ cache: 'emulated', bdf: '00:03.0', pasid: 0, kind: 'removed' })).toBe(
      '− emulated 00:03.0 PASID 0 removed',
    );
    expect(pairRole({ from: 'seed', to: 'series' })).toBe('the patch');
    expect(pairRole({ from: 'series', to: 'series-fixed' })).toBe('the fix');
  });
});

describe('comparisonMarkdown', () => {
  const scenario = {
    title: 'T | with a pipe',
    steps: [
      { op: 'clearIqe' },
      { op: 'invalidate', desc: [0x7n | (1n << 4n) | (3n << 16n) | (7n << 32n), 0n, 0n, 0n] },
    ],
  } as unknown as Scenario;
  const outcome = (kind?: 'removed') => ({
    status: 'processed' as const,
    changes: kind ? [{ cache: 'accel' as const, bdf: '00:02.0', pasid: 7, kind }] : [],
    changeCount: kind ? 1 : 0,
  });
  const cmp: AppComparison = {
    variants: ['seed', 'series', 'series-fixed'],
    stepCount: 2,
    identical: false,
    summary: [
      'seed vs series: the outcome of step 2 differs',
      'series vs series-fixed: no difference',
    ],
    steps: [
      {
        index: 1,
        op: 'invalidate',
        aspects: ['changes'],
        outcomes: {
          seed: outcome(),
          series: outcome('removed'),
          'series-fixed': outcome('removed'),
        },
      },
    ],
    stepsDiffering: 1,
    entries: [],
    entriesDiffering: 0,
    iqe: { seed: false, series: false, 'series-fixed': false },
    pairs: [],
    ms: 1,
  };

  it('starts with the review lines and tabulates the steps, numbered from 1', () => {
    const md = comparisonMarkdown(cmp, scenario, { source: 'preset x', link: 'http://h/#s' });
    const lines = md.split('\n');
    expect(lines[0]).toBe('**PASIDscope variant comparison** — T | with a pipe (preset x)');
    expect(lines[2]).toBe('- seed vs series: the outcome of step 2 differs');
    const row = lines.find((l) => l.startsWith('| 2 |'));
    expect(row).toBe(
      '| 2 | PASID-cache, PASID-selective, DID 3, PASID 7 | cache changes | processed; no cache change | processed; − accel 00:02.0 PASID 7 removed | processed; − accel 00:02.0 PASID 7 removed |',
    );
    expect(md).toContain('[Open this scenario in PASIDscope](http://h/#s)');
    expect(md).not.toContain('All variants');
  });

  it('says so when all variants agree', () => {
    const same = { ...cmp, identical: true, steps: [], stepsDiffering: 0 };
    const md = comparisonMarkdown(same, scenario);
    expect(md).toContain('All variants (seed, series, series-fixed) agree on all 2 steps');
    expect(md).not.toContain('| Step |');
  });
});

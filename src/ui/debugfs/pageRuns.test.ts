import { describe, expect, it } from 'vitest';
import { pageRuns } from './pageRuns.ts';

describe('pageRuns', () => {
  it('folds neighbouring pages of one structure, and only those', () => {
    const dir = 'the PASID directory of 00:02.0';
    const runs = pageRuns([
      { addr: 0x1000n, what: 'the root table' },
      { addr: 0x8000n, what: dir },
      { addr: 0x9000n, what: dir },
      { addr: 0xa000n, what: dir },
      { addr: 0xc000n, what: dir },
      { addr: 0xd000n, what: 'the PASID table of 00:02.0 for PASIDs 0x0-0x3f' },
    ]);
    expect(runs.map((r) => [r.first, r.last, r.pages])).toEqual([
      [0x1000n, 0x1fffn, 1],
      [0x8000n, 0xafffn, 3],
      [0xc000n, 0xcfffn, 1],
      [0xd000n, 0xdfffn, 1],
    ]);
  });
});

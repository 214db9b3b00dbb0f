import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CellState } from '../cellStates.ts';
import { LENS_CELL, layoutDirectoryLens, lensWindow, overviewRuns } from './directoryLens.ts';

describe('the directory lens', () => {
  it('always shows the focus entry in a window inside the directory', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16384 }),
        fc.nat(20000),
        fc.integer({ min: 1, max: 40 }),
        (n, f, k) => {
          const w = lensWindow(n, f, k);
          expect(w.from).toBeGreaterThanOrEqual(0);
          expect(w.to).toBeLessThanOrEqual(n);
          expect(w.to - w.from).toBe(Math.min(n, k));
          const focus = Math.min(n - 1, f);
          expect(focus >= w.from && focus < w.to).toBe(true);
        },
      ),
    );
  });

  it('merges the overview into runs that cover the directory once, in order', () => {
    const state = (d: number): CellState => (d === 5000 ? 'dir-present' : 'unvisited');
    const runs = overviewRuns(16384, 200, state);
    expect(runs[0]?.from).toBe(0);
    expect(runs.at(-1)?.to).toBe(16384);
    for (let i = 1; i < runs.length; i++) expect(runs[i]?.from).toBe(runs[i - 1]?.to);
    // The one present entry is not lost in its bucket.
    expect(runs.some((r) => r.state === 'dir-present' && r.from <= 5000 && r.to > 5000)).toBe(true);
    expect(runs.length).toBeLessThanOrEqual(3);
  });

  it('magnifies a lone present entry of a 16,384-entry directory into a whole cell', () => {
    const lens = layoutDirectoryLens({
      bdf: 'b',
      entries: 16384,
      stateOf: (d) => (d === 9000 ? 'dir-present' : 'unvisited'),
      focus: 9000,
      span: 1,
      lit: true,
      x: 0,
      y: 0,
      w: 300,
    });
    const cell = lens.cells.find((c) => c.key === 'dir:b:9000');
    expect(cell).toMatchObject({ state: 'dir-present', current: true, glyph: 'P' });
    expect(cell?.w).toBe(LENS_CELL - 3);
    expect(cell?.glyphSize).toBeGreaterThanOrEqual(12);
    expect(lens.name).toMatch(/^PASID directory of b: 16,384 entries/);
    // The connectors join the window's place on the strip to the magnified row.
    expect(lens.lines).toHaveLength(3);
    for (const c of lens.cells) expect(c.x + c.w).toBeLessThanOrEqual(300 + 0.01);
  });
});

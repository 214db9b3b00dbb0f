import { describe, expect, it } from 'vitest';
import { layoutTableGrid, slotSize, tableGridSize } from './tableGrid.ts';

const base = {
  bdf: 'd',
  tableBase: 0x9000n,
  slot: (p: number) => ({
    state: p % 2 ? ('in-memory' as const) : ('unvisited' as const),
    detail: '',
  }),
  lit: false,
  x: 10,
  y: 20,
  titleWidth: 300,
};

describe('the PASID table grid', () => {
  it('lays out the 64 slots of one table, 8 × 8, keyed by PASID', () => {
    const t = layoutTableGrid({
      ...base,
      dir: 2,
      current: { from: 130, to: 133 },
      maxW: 240,
      maxH: 260,
    });
    expect(t.cells).toHaveLength(64);
    expect(t.cells[0]?.key).toBe('pasid:d:0x80');
    expect(t.cells[63]?.key).toBe('pasid:d:0xbf');
    expect(t.cells.filter((c) => c.current).map((c) => c.key)).toEqual([
      'pasid:d:0x82',
      'pasid:d:0x83',
      'pasid:d:0x84',
    ]);
    expect(t.name).toBe('PASID table 2: PASIDs 0x80–0xbf');
    for (const c of t.cells) {
      expect(c.x + c.w).toBeLessThanOrEqual(t.w);
      expect(c.y + c.h).toBeLessThanOrEqual(t.h);
    }
  });

  it('grows its slots with the room, within bounds, and drops glyphs too small to read', () => {
    expect(slotSize(1000, 1000)).toBe(26);
    expect(slotSize(50, 50)).toBe(12);
    const small = layoutTableGrid({ ...base, dir: 0, current: undefined, maxW: 100, maxH: 120 });
    expect(small.cells.every((c) => c.glyphSize === 0)).toBe(true);
    const big = layoutTableGrid({ ...base, dir: 0, current: undefined, maxW: 224, maxH: 250 });
    expect(big.cells.every((c) => c.glyphSize >= 12)).toBe(true);
    expect(tableGridSize(224, 250).h).toBeLessThanOrEqual(250);
  });

  it('says when the directory entry has no table', () => {
    const t = layoutTableGrid({
      ...base,
      tableBase: undefined,
      dir: 3,
      current: undefined,
      maxW: 200,
      maxH: 200,
    });
    expect(t.tone).toBe('missing');
    expect(t.texts[0]?.text).toBe('PASID table 3 · none');
  });
});

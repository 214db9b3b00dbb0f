import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrowPoints, layoutArrow } from './arrows.ts';

describe('arrows', () => {
  it('are orthogonal polylines from the source to the target', () => {
    fc.assert(
      fc.property(
        fc.record({ x: fc.integer({ min: 0, max: 900 }), y: fc.integer({ min: 0, max: 600 }) }),
        fc.record({ x: fc.integer({ min: 0, max: 900 }), y: fc.integer({ min: 0, max: 600 }) }),
        fc.constantFrom('h' as const, 'v' as const),
        (from, to, route) => {
          const pts = arrowPoints({ from, to, route });
          expect(pts[0]).toEqual(from);
          expect(pts.at(-1)).toEqual(to);
          for (let i = 1; i < pts.length; i++) {
            const p = pts[i - 1]!;
            const q = pts[i]!;
            expect(p.x === q.x || p.y === q.y).toBe(true);
          }
        },
      ),
    );
  });

  it('carry their address where the gap has room for it, and only there', () => {
    const wide = layoutArrow({
      key: 'a',
      from: { x: 0, y: 10 },
      to: { x: 200, y: 10 },
      route: 'h',
      label: '0x8000',
      title: 't',
      lit: true,
    });
    expect(wide.label?.text).toBe('0x8000');
    const narrow = layoutArrow({
      ...wide,
      from: { x: 0, y: 10 },
      to: { x: 20, y: 10 },
      route: 'h',
      label: '0x8000',
    });
    expect(narrow.label).toBeUndefined();
    expect(narrow.title).toBe('t');
  });
});

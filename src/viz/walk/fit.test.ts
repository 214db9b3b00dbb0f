import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMFORT_WIDTH, fitDrawing } from './fit.ts';
import { MIN_DRAWING_WIDTH } from './layout.ts';

describe('fitting the drawing to its box', () => {
  it('never draws below scale 1 (the type floor holds) nor below the asked minimum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 4000 }),
        fc.integer({ min: 100, max: 3000 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(1, 1.5),
        (width, height, devices, min) => {
          const f = fitDrawing({ width, height }, devices, min);
          expect(f.scale).toBeGreaterThanOrEqual(min);
          expect(f.width).toBeGreaterThanOrEqual(MIN_DRAWING_WIDTH);
          // The drawing fills the box's width whenever the box is wide enough for it.
          if (width / f.scale >= MIN_DRAWING_WIDTH) expect(f.width * f.scale).toBeCloseTo(width, 5);
        },
      ),
    );
  });

  it('grows the picture in a large box, as on a projector', () => {
    const f = fitDrawing({ width: 2 * COMFORT_WIDTH, height: 2000 }, 1);
    expect(f.scale).toBeCloseTo(2, 5);
    expect(fitDrawing({ width: 520, height: 300 }, 3).scale).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { layoutRangeBar, pdtsLimit } from './rangeBar.ts';
import { RangeReason } from '../../model/core.ts';

const init = (over: Partial<Parameters<typeof layoutRangeBar>[0]['init'] & object> = {}) => ({
  event: 0,
  start: 0,
  end: 1 << 20,
  reason: RangeReason.PasidBits,
  pasidBits: 20,
  ...over,
});
const clamp = (maxPasidLog2: number, pdts: number, start = 0) => {
  const end = Math.min(...[2 ** maxPasidLog2, pdtsLimit(pdts)], start === 0 ? 1 << 20 : start + 1);
  return { event: 1, device: 0, start, maxPasidLog2, pdts, end };
};

describe('PASID range bar', () => {
  it('highlights the context PDTS when it is the smallest limit', () => {
    const m = layoutRangeBar({ x: 0, y: 0, width: 400, init: init(), clamp: clamp(20, 0) })!;
    expect(pdtsLimit(0)).toBe(8192);
    const winners = m.limits.filter((l) => l.winner).map((l) => l.kind);
    expect(winners).toEqual(['pdts']);
    expect(m.walked).toMatchObject({ start: 0, end: 8192 });
    expect(m.caption).toContain('PDTS 0');
  });

  it('marks every limit that ties for the smallest', () => {
    const m = layoutRangeBar({ x: 0, y: 0, width: 400, init: init(), clamp: clamp(20, 7) })!;
    expect(
      m.limits
        .filter((l) => l.winner)
        .map((l) => l.kind)
        .sort(),
    ).toEqual(['device', 'pasid-bits', 'pdts'].sort());
  });

  it('uses the device max PASID when it is smaller', () => {
    const m = layoutRangeBar({ x: 0, y: 0, width: 400, init: init(), clamp: clamp(5, 7) })!;
    expect(m.limits.find((l) => l.winner)?.kind).toBe('device');
    expect(m.walked?.end).toBe(32);
  });

  it('does not apply pasid-bits to a PASID-selective invalidation', () => {
    const psi = init({ start: 0x41, end: 0x42, reason: 2, pasidBits: 4 });
    const m = layoutRangeBar({ x: 0, y: 0, width: 400, init: psi, clamp: clamp(20, 7, 0x41) })!;
    const bits = m.limits.find((l) => l.kind === 'pasid-bits')!;
    expect(bits.applies).toBe(false);
    expect(bits.winner).toBe(false);
    expect(m.limits.find((l) => l.winner)?.kind).toBe('pasid-si');
  });

  it('places every limit on a log2 scale and keeps labels from overlapping', () => {
    const m = layoutRangeBar({ x: 10, y: 0, width: 200, init: init(), clamp: clamp(20, 0) })!;
    const pd = m.limits.find((l) => l.kind === 'pdts')!;
    expect(pd.x).toBeCloseTo(10 + (13 / 20) * 200);
    const same = m.limits.filter((l) => l.value === 1 << 20);
    expect(new Set(same.map((l) => l.row)).size).toBe(same.length);
  });

  it('shows only pasid-bits before the device limits are known', () => {
    const m = layoutRangeBar({ x: 0, y: 0, width: 400, init: init() })!;
    expect(m.limits.map((l) => l.kind)).toEqual(['pasid-bits']);
    expect(m.walked).toBeUndefined();
  });
});

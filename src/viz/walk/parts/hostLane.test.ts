import { describe, expect, it } from 'vitest';
import { HostCallOp, type HostLaneState } from '../../../model/core.ts';
import { MIN_TYPE, type PartModel } from './geometry.ts';
import {
  HWPT_H,
  hostItems,
  hostLaneHeight,
  layoutHostLane,
  type HostLaneInput,
} from './hostLane.ts';

const base: HostLaneState = {
  attached: new Map([
    [0, 1],
    [5, 3],
  ]),
  objects: [{ id: 3, type: 'hwpt', pasid: 5, pgtbl: 0x300000n, faultq: 0, fate: 'recorded' }],
  bindFailed: new Set(),
  calls: 2,
  truncated: false,
};
const lane = (state: HostLaneState, over: Partial<HostLaneInput> = {}) =>
  layoutHostLane({
    bdf: '00:02.0',
    state,
    variant: 'series',
    cached: [{ pasid: 5, pgtt: 1, from: { x: 420, y: 200 } }],
    lit: false,
    linkX: 380,
    x: 10,
    y: 300,
    w: 500,
    h: hostLaneHeight(3),
    ...over,
  });
const named = (parts: PartModel[], re: RegExp) => parts.filter((p) => re.test(p.name));

describe('the host lane', () => {
  it('draws each hwpt as a named group, the nesting parent first', () => {
    const { parts } = lane(base);
    expect(parts[0]?.kind).toBe('host');
    expect(parts[0]?.name).toMatch(/^Host iommufd 00:02.0: 2 objects/);
    const hwpts = named(parts, /^Host hwpt /);
    expect(hwpts.map((p) => p.name)).toEqual([
      'Host hwpt 1: nesting parent (GPA→HPA, attached by VFIO at plug), PASID 0x0 attached',
      'Host hwpt 3: nested S1, PASID 0x5, table 0x300000, attached',
    ]);
    for (const p of hwpts) {
      expect(p.kind).toBe('hwpt');
      expect(p.h).toBe(HWPT_H);
      // Inside the lane, and no text under the type floor.
      expect(p.x).toBeGreaterThanOrEqual(10);
      expect(p.x + p.w).toBeLessThanOrEqual(510);
      expect(p.y + p.h).toBeLessThanOrEqual(300 + hostLaneHeight(3));
      for (const t of p.texts) expect(t.size).toBeGreaterThanOrEqual(MIN_TYPE);
    }
  });

  it('links each cached PASID to the hwpt the host has it on, ending at that row', () => {
    const { parts, arrows } = lane(base);
    expect(arrows).toHaveLength(1);
    const link = arrows[0]!;
    const hw3 = parts.find((p) => p.key === 'part:hwpt:00:02.0:3')!;
    expect(link.points[0]).toEqual({ x: 420, y: 200 });
    const end = link.points.at(-1)!;
    expect(end.x).toBeCloseTo(hw3.x + hw3.w);
    expect(end.y).toBeCloseTo(hw3.y + hw3.h / 2);
    expect(link.title).toBe('cached PASID 0x5 → hwpt 3 on the host');
  });

  it('marks a failed bind: the cached PASID has no hwpt, with the consequence in words', () => {
    const state: HostLaneState = {
      ...base,
      attached: new Map([[0, 1]]),
      objects: [],
      bindFailed: new Set([5]),
    };
    const { parts, arrows } = lane(state);
    const unbound = parts.find((p) => p.key === 'part:host-unbound:00:02.0:0x5')!;
    expect(unbound.name).toContain(
      'entry cached, not bound: QEMU retries only when the guest entry changes',
    );
    expect(unbound.tone).toBe('fault');
    expect(arrows[0]?.title).toBe('cached PASID 0x5: not bound on the host');
  });

  it("flags PASID 0 left on the parent after a failed first-stage bind: DMA bypasses the guest's table", () => {
    const state: HostLaneState = {
      ...base,
      attached: new Map([[0, 1]]),
      objects: [],
      bindFailed: new Set([0]),
    };
    const { parts } = lane(state, { cached: [{ pasid: 0, pgtt: 1 }] });
    const parent = parts.find((p) => p.key === 'part:hwpt:00:02.0:1')!;
    expect(parent.tone).toBe('fault');
    expect(parent.name).toContain("DMA bypasses the guest's table");
    // No unbound row for PASID 0: the parent row says it.
    expect(parts.some((p) => p.key.startsWith('part:host-unbound'))).toBe(false);
  });

  it('lights the hwpt a forwarded PIOTLB reaches, and the link to it', () => {
    const state: HostLaneState = {
      ...base,
      now: { op: HostCallOp.Invalidate, pasid: 5, id: 3, ok: true, flags: 0, addr: 0x7000n },
    };
    const { parts, arrows } = lane(state, { lit: true });
    const hw3 = parts.find((p) => p.key === 'part:hwpt:00:02.0:3')!;
    expect(hw3.lit).toBe(true);
    expect(hw3.texts.map((t) => t.text).join(' ')).toContain('PIOTLB forwarded @ 0x7000');
    expect(parts.find((p) => p.key === 'part:hwpt:00:02.0:1')?.lit).toBe(false);
    expect(arrows[0]?.lit).toBe(true);
    expect(arrows[0]?.title).toContain('PIOTLB invalidation forwarded');
  });

  it('keeps a freed hwpt for the event that frees it, and names leaked objects', () => {
    const freed = hostItems({
      bdf: '00:02.0',
      state: { ...base, freedNow: { ...base.objects[0]!, id: 2 } },
      variant: 'series',
      cached: [],
      lit: false,
      linkX: 0,
      x: 0,
      y: 0,
      w: 500,
      h: 200,
    });
    expect(freed.map((i) => i.name)).toContain(
      'Host hwpt 2: nested S1, PASID 0x5, table 0x300000, freed',
    );
    const leaked = lane({
      ...base,
      objects: [
        { id: 2, type: 'faultq', pasid: 5, faultq: 0, fate: 'leaked' },
        { id: 3, type: 'hwpt', pasid: 5, pgtbl: 0x300000n, faultq: 2, fate: 'leaked' },
      ],
    });
    expect(leaked.parts.map((p) => p.name)).toContain(
      'Host hwpt 3: nested S1, PASID 0x5, table 0x300000, fault queue 2, leaked: QEMU dropped the entry, the host keeps PASID 0x5 bound to it',
    );
    expect(named(leaked.parts, /^Host fault queue 2: .*leaked/)).toHaveLength(1);
  });

  it('counts what does not fit', () => {
    const many: HostLaneState = {
      ...base,
      objects: Array.from({ length: 9 }, (_, i) => ({
        id: i + 2,
        type: 'hwpt' as const,
        pasid: i + 10,
        faultq: 0,
        fate: 'recorded' as const,
      })),
    };
    const { parts } = lane(many, { h: hostLaneHeight(10, 4) });
    expect(named(parts, /^Host hwpt /)).toHaveLength(3);
    expect(parts[0]?.texts.map((t) => t.text)).toContain('7 more not drawn');
  });
});

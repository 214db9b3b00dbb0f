import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { HostDeviceState } from '../model/core.ts';
import { hostColumnBuffers, hostFromColumns, hostToColumns, lazyHostStates } from './hostWire.ts';

const hostState = fc
  .record({
    attached: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 2 ** 20 - 1 }), fc.nat(5000)), {
      selector: ([pasid]) => pasid,
      maxLength: 40,
    }),
    objects: fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 2, max: 100_000 }),
        type: fc.constantFrom('hwpt' as const, 'faultq' as const),
        pasid: fc.integer({ min: 0, max: 2 ** 20 - 1 }),
        leaked: fc.boolean(),
      }),
      { selector: (o) => o.id, maxLength: 40 },
    ),
    totals: fc.option(fc.record({ attached: fc.nat(), objects: fc.nat() }), { nil: undefined }),
  })
  .map(({ attached, objects, totals }): HostDeviceState => {
    const record: Record<string, number> = {};
    for (const [pasid, hwpt] of [...attached].sort((x, y) => x[0] - y[0])) {
      record[String(pasid)] = hwpt;
    }
    const listed = [...objects].sort((x, y) => x.id - y.id);
    return totals
      ? { attached: record, objects: listed, totals }
      : { attached: record, objects: listed };
  });

describe('host state on the wire', () => {
  propTest.prop([hostState])('columns unpack to the same state, key order included', (state) => {
    const back = hostFromColumns(hostToColumns(state));
    expect(back).toEqual(state);
    expect(Object.keys(back.attached)).toEqual(Object.keys(state.attached));
  });

  it('hands over one buffer per column', () => {
    const columns = hostToColumns({
      attached: { '5': 3 },
      objects: [{ id: 3, type: 'hwpt', pasid: 5, leaked: false }],
    });
    expect(new Set(hostColumnBuffers(columns)).size).toBe(5);
  });

  it('unpacks a device when it is read, and keeps it', () => {
    const columns = hostToColumns({
      attached: { '0': 2 },
      objects: [{ id: 2, type: 'faultq', pasid: 0, leaked: true }],
    });
    const states = lazyHostStates({ '00:02.0': columns });
    expect(Object.keys(states)).toEqual(['00:02.0']);
    const first = states['00:02.0'];
    expect(first?.objects[0]).toEqual({ id: 2, type: 'faultq', pasid: 0, leaked: true });
    expect(states['00:02.0']).toBe(first);
  });
});

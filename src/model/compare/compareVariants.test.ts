import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import type { CacheEntryState } from './compareVariants.ts';
import {
  cacheEntryAspects,
  compareVariants,
  comparisonToJson,
  describeComparison,
  listSteps,
} from './compareVariants.ts';

function load(raw: Record<string, unknown>): Scenario {
  const r = parseScenario({ format: 'pasidscope-scenario', version: 1, ...raw });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

const nic = { bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20 };
const disk = { bdf: '00:03.0', backend: 'emulated', pasidAddressSpaces: [5] };
const tables = {
  devices: [
    {
      bdf: '00:02.0',
      pasids: [
        { pasid: 0, present: true, pgtt: 'pass-through', did: 1 },
        { pasid: 7, present: true, pgtt: 'first-stage', did: 3, fsptptr: '0x100000' },
      ],
    },
    {
      bdf: '00:03.0',
      pasids: [
        { pasid: 0, present: true, pgtt: 'pass-through', did: 1 },
        { pasid: 5, present: true, pgtt: 'pass-through', did: 3 },
      ],
    },
  ],
};

/** The guest tears PASID 7 down and tells QEMU (PASID-selective, old DID). */
const teardown = load({
  iommu: { rootTableAddr: '0x10000' },
  devices: [nic],
  tables: { devices: [tables.devices[0]] },
  steps: [
    { op: 'invalidate', granularity: 'global' },
    { op: 'writePasidEntry', bdf: '00:02.0', pasid: 7, fields: { present: false } },
    { op: 'invalidate', granularity: 'pasid', did: 3, pasid: 7 },
  ],
});

describe('compareVariants', () => {
  it('finds the step where the series removes a torn-down PASID that the seed keeps', () => {
    const cmp = compareVariants(teardown);
    expect(cmp.identical).toBe(false);
    // Step 0 differs on the host only: the seed binds PASID 0 from the emulated path, the series
    // binds every accel entry (PASID 0 on the parent, PASID 7 on a new nested hwpt).
    expect(cmp.steps.map((s) => s.index)).toEqual([0, 2]);
    const setup = cmp.steps[0]!;
    expect(setup.aspects).toEqual(['hostOps']);
    expect(setup.outcomes.seed.hostOps.map((o) => `${o.op} ${o.pasid}`)).toEqual(['attach 0']);
    expect(setup.outcomes.series.hostOps.map((o) => `${o.op} ${o.pasid}`)).toEqual([
      'attach 0',
      'alloc 7',
      'attach 7',
    ]);
    const step = cmp.steps[1]!;
    expect(step.aspects).toEqual(['changes', 'accelWalk', 'hostOps']);
    expect(step.outcomes.series.hostOps.map((o) => `${o.op} ${o.pasid}`)).toEqual([
      'detach 7',
      'free 7',
    ]);
    // The seed walks [7, 8); the series removed 7 PASID-selectively, so accel_pce_deleted skips the walk.
    expect(step.outcomes.seed.accelWalk).toEqual({ dirReads: 1, entryReads: 1, listCompares: 0 });
    expect(step.outcomes.series.accelWalk).toEqual({ dirReads: 0, entryReads: 0, listCompares: 0 });
    expect(step.outcomes.seed.changes).toEqual([]);
    expect(step.outcomes.series.changes).toEqual([
      { cache: 'accel', bdf: '00:02.0', pasid: 7, kind: 'removed' },
    ]);
    expect(step.outcomes['series-fixed'].changes).toEqual(step.outcomes.series.changes);
    expect(cmp.final.entries).toHaveLength(1);
    expect(cmp.final.entries[0]).toMatchObject({
      cache: 'accel',
      bdf: '00:02.0',
      pasid: 7,
      aspects: ['presence'],
      states: { series: { present: false }, 'series-fixed': { present: false } },
    });
    expect(cmp.final.entries[0]?.states.seed).toMatchObject({ present: true, valid: true });
    // The series freed what it allocated: both end with PASID 0 on the parent and nothing live.
    expect(cmp.final.host).toEqual([]);
    const pair = { finalEntries: 1, iqeDiffers: false, hostDevices: [] };
    expect(cmp.pairs).toEqual([
      { from: 'seed', to: 'series', steps: [0, 2], ...pair },
      { from: 'series', to: 'series-fixed', steps: [], ...pair, finalEntries: 0 },
      { from: 'seed', to: 'series-fixed', steps: [0, 2], ...pair },
    ]);
    expect(describeComparison(cmp)).toEqual([
      'seed vs series: the outcome of steps 0 and 2 differs; final caches: 1 entry differs',
      'series vs series-fixed: no difference',
    ]);
  });

  it("finds the series' emulated fall-through (removed, then re-created) that series-fixed does not have", () => {
    const s = load({
      iommu: { rootTableAddr: '0x10000' },
      devices: [disk],
      tables: { devices: [tables.devices[1]] },
      steps: [
        { op: 'invalidate', granularity: 'global' },
        { op: 'writePasidEntry', bdf: '00:03.0', pasid: 5, fields: { present: false } },
        { op: 'invalidate', granularity: 'domain', did: 3 },
        { op: 'invalidate', granularity: 'global' },
      ],
    });
    const cmp = compareVariants(s);
    const fix = cmp.pairs.find((p) => p.from === 'series' && p.to === 'series-fixed');
    expect(fix?.steps).toEqual([2, 3]);
    expect(cmp.steps[0]?.outcomes.series.changes.map((c) => c.kind)).toEqual([
      'removed',
      'created',
    ]);
    expect(cmp.steps[0]?.outcomes['series-fixed'].changes.map((c) => c.kind)).toEqual(['removed']);
    expect(cmp.final.entries).toEqual([
      expect.objectContaining({
        cache: 'emulated',
        bdf: '00:03.0',
        pasid: 5,
        aspects: ['validity'],
      }) as unknown,
    ]);
  });

  it('says so when the variants agree', () => {
    // Without fsts the host is never called (and the first-stage entries are refused alike).
    const s = load({
      iommu: { rootTableAddr: '0x10000', fsts: false },
      devices: [nic],
      tables: { devices: [tables.devices[0]] },
      steps: [{ op: 'invalidate', granularity: 'global' }],
    });
    const cmp = compareVariants(s);
    expect(cmp.identical).toBe(true);
    expect(cmp.steps).toEqual([]);
    expect(cmp.final.entries).toEqual([]);
    expect(describeComparison(cmp)).toEqual([
      'seed vs series: no difference',
      'series vs series-fixed: no difference',
    ]);
  });

  it('reports FSTS.IQE only when it ends differently (a rejection is the same in every variant)', () => {
    const s = load({
      iommu: { rootTableAddr: '0x10000', queueWidth: 128 },
      devices: [nic],
      tables: { devices: [tables.devices[0]] },
      steps: [{ op: 'invalidate', granularity: 'global' }],
    });
    const cmp = compareVariants(s);
    expect(cmp.final.iqe).toEqual({ seed: true, series: true, 'series-fixed': true });
    expect(cmp.identical).toBe(true);
  });

  it('comparisonToJson is plain JSON with words as 16-digit hex', () => {
    const text = JSON.stringify(comparisonToJson(compareVariants(teardown)));
    const back = JSON.parse(text) as {
      summary: string[];
      final: { entries: { states: { seed: { entry: string[] } } }[] };
    };
    expect(back.summary[0]).toMatch(/^seed vs series: the outcome of steps 0 and 2 differs/);
    expect(back.final.entries[0]?.states.seed.entry[0]).toBe('0x0000000000000041');
    expect(back.final.entries[0]?.states.seed.entry[2]).toBe('0x0000000000100000');
  });
});

describe('cacheEntryAspects', () => {
  const entry = (did: bigint): bigint[] => [0x41n, did, 0n, 0n, 0n, 0n, 0n, 0n];
  const valid = (did: bigint): CacheEntryState => ({
    present: true,
    valid: true,
    entry: entry(did),
  });
  const invalid = (did: bigint): CacheEntryState => ({
    present: true,
    valid: false,
    entry: entry(did),
  });

  it('compares words of valid entries, never of two invalid emulated ones', () => {
    expect(cacheEntryAspects('emulated', valid(1n), valid(2n))).toEqual(['words']);
    expect(cacheEntryAspects('emulated', invalid(1n), invalid(2n))).toEqual([]);
    expect(cacheEntryAspects('emulated', valid(1n), invalid(1n))).toEqual(['validity']);
  });

  it('accel: presence, words, and the place in the list among the entries both hold', () => {
    expect(cacheEntryAspects('accel', valid(1n), { present: false })).toEqual(['presence']);
    expect(cacheEntryAspects('accel', valid(1n), valid(2n), true)).toEqual(['words', 'position']);
    expect(cacheEntryAspects('accel', valid(1n), valid(1n))).toEqual([]);
  });
});

describe('listSteps', () => {
  it('reads like a review comment', () => {
    expect(listSteps([4])).toBe('step 4');
    expect(listSteps([4, 9])).toBe('steps 4 and 9');
    expect(listSteps([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3)).toBe('steps 1, 2, 3 and 7 more');
  });
});

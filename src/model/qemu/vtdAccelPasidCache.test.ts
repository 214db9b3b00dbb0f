// The accel VTDAccelPASIDCacheEntry lists: range and clamps, the walk's skips, the DID filter,
// create / update, the series removal pass and bypass, and the counters.

import { describe, expect, it } from 'vitest';
import type { RunResult } from '../run/runTypes.ts';
import { ScenarioBuilder, pasidEntryWords } from '../testSupport/scenarioBuilder.ts';
import type { DeviceOptions } from '../testSupport/scenarioBuilder.ts';
import type { IommuConfig, Variant } from '../scenario/scenarioTypes.ts';
import { DirOutcome, LeafOutcome, RemovalOutcome } from '../trace/traceFormat.ts';
import { readTraceEvent, traceStepRange } from '../trace/traceReader.ts';
import type { TraceEvent } from '../trace/traceReader.ts';

function pasids(r: RunResult, bdf = '00:01.0'): number[] {
  return (r.final.accel[bdf] ?? []).map((e) => e.pasid);
}

function stepEvents(r: RunResult, step: number): TraceEvent[] {
  const { start, end } = traceStepRange(r.trace, step);
  const out: TraceEvent[] = [];
  for (let i = start; i < end; i++) out.push(readTraceEvent(r.trace, i));
  return out;
}

/** One iommufd device with valid first-stage entries (DID 3) at the given PASIDs. */
function withEntries(
  list: readonly number[],
  opts: { iommu?: Partial<IommuConfig>; device?: DeviceOptions; variant?: Variant } = {},
): ScenarioBuilder {
  const b = new ScenarioBuilder(opts.iommu ?? {}, opts.variant ?? 'series');
  b.device('00:01.0', opts.device ?? {});
  for (const p of list) b.setPasidEntry('00:01.0', p, { pgtt: 1, did: 3 });
  return b;
}

describe('range and clamps', () => {
  it('walks [0, 1 << pasid-bits) for a global invalidation; list head = last created', () => {
    const r = withEntries([1, 2, 70, 5000]).global().run();
    expect(pasids(r)).toEqual([5000, 70, 2, 1, 0]);
    expect(r.final.accel['00:01.0']?.[0]?.entry).toEqual(pasidEntryWords({ pgtt: 1, did: 3 }));
  });

  it('pasid-bits 0 walks PASID 0 only', () => {
    expect(
      pasids(
        withEntries([1, 2], { iommu: { pasidBits: 0 } })
          .global()
          .run(),
      ),
    ).toEqual([0]);
  });

  it('pasid-bits clamps domain-selective and global ranges', () => {
    const r = withEntries([7, 8], { iommu: { pasidBits: 3 } })
      .dsi(3)
      .run();
    expect(pasids(r)).toEqual([7]);
  });

  it('does not clamp a PASID-selective invalidation by pasid-bits', () => {
    const r = withEntries([0x9000], { iommu: { pasidBits: 0 } })
      .psi(3, 0x9000)
      .run();
    expect(pasids(r)).toEqual([0x9000]);
  });

  it('clamps by the device max_pasid_log2 (0 = PASID 0 only)', () => {
    expect(
      pasids(
        withEntries([1, 15, 16], { device: { maxPasidLog2: 4 } })
          .global()
          .run(),
      ),
    ).toEqual([15, 1, 0]);
    expect(
      pasids(
        withEntries([1], { device: { maxPasidLog2: 0 } })
          .global()
          .run(),
      ),
    ).toEqual([0]);
    // PASID-selective is clamped too.
    expect(
      pasids(
        withEntries([16], { device: { maxPasidLog2: 4 } })
          .psi(3, 16)
          .run(),
      ),
    ).toEqual([]);
  });

  it('clamps by the context entry PDTS: 2^(PDTS+7) * 64 PASIDs', () => {
    const r = withEntries([0x1fff, 0x2000], { device: { pdts: 0 } })
      .global()
      .run();
    expect(pasids(r)).toEqual([0x1fff, 0]);
  });

  it('clamps per device, never accumulating across devices', () => {
    const b = new ScenarioBuilder();
    b.device('00:01.0', { maxPasidLog2: 1 }).device('00:02.0', { maxPasidLog2: 20 });
    b.setPasidEntry('00:01.0', 1, { pgtt: 1 }).setPasidEntry('00:01.0', 100, { pgtt: 1 });
    b.setPasidEntry('00:02.0', 100, { pgtt: 1 });
    const r = b.global().run();
    expect(pasids(r, '00:01.0')).toEqual([1, 0]);
    expect(pasids(r, '00:02.0')).toEqual([100, 0]);
    const clamps = stepEvents(r, 0).filter((e) => e.kind === 'RangeClamp');
    expect(clamps.map((e) => (e.kind === 'RangeClamp' ? e.end : -1))).toEqual([2, 1 << 20]);
  });
});

describe('the walk skips', () => {
  it('skips a chunk whose directory entry is not present or unreadable', () => {
    const b = withEntries([1, 70]);
    b.setMemory(b.dirEntryAddr('00:01.0', 70), [0n]);
    const r = b.global().run();
    expect(pasids(r)).toEqual([1, 0]);
    const dirs = stepEvents(r, 0).filter((e) => e.kind === 'DirChecked');
    // Chunk 0 present, then chunks 1 .. 16383 not present: one coalesced event.
    expect(dirs.map((e) => (e.kind === 'DirChecked' ? [e.outcome, e.chunks, e.end] : []))).toEqual([
      [DirOutcome.Present, 1, 64],
      [DirOutcome.NotPresent, 16383, 1 << 20],
    ]);
  });

  it('counts a directory read beyond RAM as a read and skips the chunk', () => {
    // A directory at the very end of RAM: entries past RAM fail with 0x50.
    const b = new ScenarioBuilder({ guestRamBytes: 0x4000_0000n }).device('00:01.0', {
      noContext: true,
    });
    b.setMemory(b.rootEntryAddr(0), [0x2_0000n | 1n, 0n]);
    b.setMemory(b.contextEntryAddr('00:01.0'), [0x3fff_f000n | (7n << 9n) | 1n, 0n, 0n, 0n]);
    b.setMemory(0x3fff_f000n, [0x300_0000n | 1n]);
    b.setMemory(0x300_0000n, pasidEntryWords({ pgtt: 1 }));
    const r = b.global().run();
    expect(pasids(r)).toEqual([0]);
    expect(r.steps[0]?.accelWalk?.dirReads).toBe(16384);
    const failed = stepEvents(r, 0).find(
      (e) => e.kind === 'DirChecked' && e.outcome === DirOutcome.ReadFailed,
    );
    expect(failed).toMatchObject({ firstPasid: 512 * 64, chunks: 16384 - 512, fault: 0x50 });
  });

  it.each([
    ['not present', { present: false, pgtt: 1 }, LeafOutcome.NotPresent],
    ['second-stage with fsts', { pgtt: 2, aw: 1 }, LeafOutcome.EntryInvalid],
    ['nested', { pgtt: 3 }, LeafOutcome.EntryInvalid],
    ['5-level first stage', { pgtt: 1, fspm: 1 }, LeafOutcome.EntryInvalid],
    ['PGTT 0, not present', { present: false, pgtt: 0 }, LeafOutcome.EntryInvalid],
  ])('skips a %s entry', (_n, fields, outcome) => {
    const b = new ScenarioBuilder().device('00:01.0').setPasidEntry('00:01.0', 9, fields);
    const r = b.global().run();
    expect(pasids(r)).toEqual([0]);
    const leaf = stepEvents(r, 0).find((e) => e.kind === 'LeafChecked' && e.firstPasid === 9);
    expect(leaf).toMatchObject({ outcome });
  });

  it('accepts pass-through entries', () => {
    const b = new ScenarioBuilder().device('00:01.0').setPasidEntry('00:01.0', 9, { pgtt: 4 });
    expect(pasids(b.global().run())).toEqual([9, 0]);
  });

  it('skips a leaf entry beyond RAM (fetch error)', () => {
    const b = new ScenarioBuilder({ guestRamBytes: 0x100_0050n }).device('00:01.0');
    b.setPasidEntry('00:01.0', 1, { pgtt: 1 });
    const r = b.global().run();
    expect(pasids(r)).toEqual([0]);
    const leaf = stepEvents(r, 0).find((e) => e.kind === 'LeafChecked' && e.firstPasid === 1);
    expect(leaf).toMatchObject({ outcome: LeafOutcome.FetchError, count: 63 });
  });

  it('coalesces runs of the same skip and DID into one event', () => {
    const r = new ScenarioBuilder().device('00:01.0').global().run();
    const leaves = stepEvents(r, 0).filter((e) => e.kind === 'LeafChecked');
    expect(
      leaves.map((e) => (e.kind === 'LeafChecked' ? [e.firstPasid, e.count, e.outcome] : [])),
    ).toEqual([
      [0, 1, LeafOutcome.Created],
      [1, 63, LeafOutcome.EntryInvalid],
    ]);
  });

  it('skips a device whose context lookup fails, silently', () => {
    const b = withEntries([5]);
    b.setMemory(b.contextEntryAddr('00:01.0'), [0n, 0n, 0n, 0n]);
    const r = b.global().run();
    expect(pasids(r)).toEqual([]);
    expect(stepEvents(r, 0).find((e) => e.kind === 'AccelDeviceSkipped')).toMatchObject({
      fault: 0x2,
    });
    expect(r.steps[0]?.accelWalk).toEqual({ dirReads: 0, entryReads: 0, listCompares: 0 });
  });

  it('skips the whole device when its PASID-0 entry is invalid', () => {
    const b = new ScenarioBuilder().device('00:01.0', { pasid0: { present: false, pgtt: 1 } });
    b.setPasidEntry('00:01.0', 5, { pgtt: 1 });
    const r = b.global().run();
    expect(pasids(r)).toEqual([]);
    expect(stepEvents(r, 0).find((e) => e.kind === 'AccelDeviceSkipped')).toMatchObject({
      fault: 0x59,
    });
  });
});

describe('DID filter and fill', () => {
  it('filters domain- and PASID-selective on the memory DID, global not at all', () => {
    const b = withEntries([5]).setPasidEntry('00:01.0', 6, { pgtt: 1, did: 4 });
    expect(pasids(b.dsi(4).run())).toEqual([6]);
    const c = withEntries([5]).setPasidEntry('00:01.0', 6, { pgtt: 1, did: 4 });
    expect(pasids(c.psi(4, 5).run())).toEqual([]);
  });

  it('updates when any of the 512 bits differ, and says nothing when equal', () => {
    const b = withEntries([5]).global();
    b.writePasidEntry('00:01.0', 5, { pgtt: 1, did: 3, high: [0n, 0n, 0n, 0n, 1n] });
    b.global().global();
    const r = b.run();
    expect(r.steps[2]?.changes).toEqual([
      { cache: 'accel', bdf: '00:01.0', pasid: 5, kind: 'updated' },
    ]);
    expect(r.steps[3]?.changes).toEqual([]);
    expect(r.final.accel['00:01.0']?.find((e) => e.pasid === 5)?.entry[7]).toBe(1n);
  });

  it('keeps the list position of an updated entry', () => {
    const b = withEntries([5, 6]).global();
    b.writePasidEntry('00:01.0', 5, { pgtt: 4, did: 3 });
    expect(pasids(b.global().run())).toEqual([6, 5, 0]);
  });

  it('tracks PASID 0 twice (emulated and accel) in the seed', () => {
    const r = withEntries([], { variant: 'seed' }).global().run();
    expect(r.steps[0]?.changes).toEqual([
      { cache: 'emulated', bdf: '00:01.0', pasid: 0, kind: 'created' },
      { cache: 'accel', bdf: '00:01.0', pasid: 0, kind: 'created' },
    ]);
  });
});

describe('removal (series, series-fixed) and its absence (seed)', () => {
  function tornDown(variant: Variant): RunResult {
    const b = withEntries([5], { variant }).global();
    // Linux teardown: clear P only, then a PASID-selective invalidation with the old DID.
    b.writePasidEntry('00:01.0', 5, { present: false, pgtt: 1, did: 3 });
    return b.psi(3, 5).run();
  }

  it('seed keeps a torn-down entry', () => {
    const r = tornDown('seed');
    expect(pasids(r)).toEqual([5, 0]);
    expect(r.steps[2]?.changes).toEqual([]);
  });

  it.each(['series', 'series-fixed'] as const)('%s removes it', (variant) => {
    const r = tornDown(variant);
    expect(pasids(r)).toEqual([0]);
    expect(r.steps[2]?.changes).toEqual([
      { cache: 'accel', bdf: '00:01.0', pasid: 5, kind: 'removed' },
    ]);
  });

  it("bypasses the device's replay after a PASID-selective removal (accel_pce_deleted)", () => {
    const b = new ScenarioBuilder();
    b.device('00:01.0').device('00:02.0', { shareDirWith: '00:01.0' });
    b.setPasidEntry('00:01.0', 5, { pgtt: 1, did: 3 });
    b.global();
    // Only device 1's view changes: give device 2 its own copy of the directory first.
    const r0 = b.run();
    expect(pasids(r0, '00:01.0')).toEqual([5, 0]);
    b.writePasidEntry('00:01.0', 5, { present: false, pgtt: 1, did: 3 });
    b.psi(3, 5);
    const r = b.run();
    // Both devices share the directory: both remove, both bypass their walk.
    expect(r.steps[2]?.changes.map((c) => [c.bdf, c.kind])).toEqual([
      ['00:01.0', 'removed'],
      ['00:02.0', 'removed'],
    ]);
    expect(r.steps[2]?.accelWalk).toEqual({ dirReads: 0, entryReads: 0, listCompares: 0 });
    expect(stepEvents(r, 2).filter((e) => e.kind === 'AccelBypass')).toHaveLength(2);
    const seed = b.run('seed');
    expect(seed.steps[2]?.accelWalk).toEqual({ dirReads: 2, entryReads: 2, listCompares: 0 });
  });

  it('clears the bypass flag per device: a device that removed nothing still walks', () => {
    const b = new ScenarioBuilder().device('00:01.0').device('00:02.0');
    b.setPasidEntry('00:01.0', 5, { pgtt: 1, did: 3 }).setPasidEntry('00:02.0', 5, {
      pgtt: 1,
      did: 3,
    });
    b.global();
    b.writePasidEntry('00:01.0', 5, { present: false, pgtt: 1, did: 3 });
    b.psi(3, 5);
    const r = b.run();
    expect(r.steps[2]?.changes).toEqual([
      { cache: 'accel', bdf: '00:01.0', pasid: 5, kind: 'removed' },
    ]);
    // Device 2 still walks: its entry 5 is found at the head of its list.
    expect(r.steps[2]?.accelWalk).toEqual({ dirReads: 1, entryReads: 1, listCompares: 1 });
  });

  it('filters removal on the CACHED DID: an in-place DID change leaves a stale entry', () => {
    const b = withEntries([5]).global();
    b.writePasidEntry('00:01.0', 5, { pgtt: 1, did: 4 });
    b.psi(3, 5); // cached DID 3 matches, memory still valid: kept; memory DID 4 != 3: no update
    b.psi(4, 5); // cached DID 3 != 4: no removal check; memory DID 4 matches: updated
    const r = b.run();
    expect(r.steps[2]?.changes).toEqual([]);
    expect(stepEvents(r, 2).find((e) => e.kind === 'AccelRemovalCheck')).toMatchObject({
      outcome: RemovalOutcome.StillValid,
    });
    expect(r.steps[3]?.changes).toEqual([
      { cache: 'accel', bdf: '00:01.0', pasid: 5, kind: 'updated' },
    ]);
    const checks = stepEvents(r, 3).filter((e) => e.kind === 'AccelRemovalCheck');
    // List [5, 0]: PASID 5's cached DID 3 != 4, PASID 0 is another PASID.
    expect(checks.map((e) => (e.kind === 'AccelRemovalCheck' ? e.outcome : 0))).toEqual([
      RemovalOutcome.DidFilter,
      RemovalOutcome.PasidFilter,
    ]);
  });

  it('a domain-selective removal does not bypass the replay', () => {
    const b = withEntries([5, 6]).global();
    b.writePasidEntry('00:01.0', 5, { present: false, pgtt: 1, did: 3 });
    b.writePasidEntry('00:01.0', 7, { pgtt: 1, did: 3 });
    b.dsi(3);
    const r = b.run();
    expect(r.steps[3]?.changes.map((c) => [c.pasid, c.kind])).toEqual([
      [5, 'removed'],
      [7, 'created'],
    ]);
  });

  it('a global sync removes every entry whose lookup fails (PASID-0 entry gone: all)', () => {
    const b = withEntries([5, 6]).global();
    b.writePasidEntry('00:01.0', 0, { present: false, pgtt: 1, did: 1 });
    const r = b.global().run();
    expect(pasids(r)).toEqual([]);
    const accel = r.steps[2]?.changes.filter((c) => c.cache === 'accel');
    expect(accel?.map((c) => [c.pasid, c.kind])).toEqual([
      [6, 'removed'],
      [5, 'removed'],
      [0, 'removed'],
    ]);
  });
});

describe('counters', () => {
  it("counts directory reads, leaf fetches and QEMU's list compares", () => {
    const b = withEntries([1, 2], { iommu: { pasidBits: 7 } })
      .global()
      .global();
    const r = b.run();
    // Chunks [0, 64) and [64, 128); 64 leaf fetches in the present chunk; creating 0, 1, 2
    // searches lists of length 0, 1, 2.
    expect(r.steps[0]?.accelWalk).toEqual({ dirReads: 2, entryReads: 64, listCompares: 3 });
    // Found at positions 3 (PASID 0), 2, 1 from the head.
    expect(r.steps[1]?.accelWalk).toEqual({ dirReads: 2, entryReads: 64, listCompares: 6 });
  });

  it('sums over devices and over the syncs a context-cache invalidation runs', () => {
    const b = new ScenarioBuilder({ pasidBits: 6 }).device('00:01.0').device('00:02.0');
    const r = b.cc(1).run();
    expect(r.steps[0]?.accelWalk).toEqual({ dirReads: 2, entryReads: 128, listCompares: 0 });
  });

  it('reads one directory entry and one leaf for a PASID-selective invalidation', () => {
    const r = withEntries([70]).psi(3, 70).run();
    expect(r.steps[0]?.accelWalk).toEqual({ dirReads: 1, entryReads: 1, listCompares: 0 });
    const range = stepEvents(r, 0).find((e) => e.kind === 'RangeInit');
    expect(range).toMatchObject({ start: 70, end: 71 });
  });

  it('does not count the series removal pass', () => {
    const b = withEntries([5], { iommu: { pasidBits: 6 } })
      .global()
      .global();
    const series = b.run('series').steps[1]?.accelWalk;
    const seed = b.run('seed').steps[1]?.accelWalk;
    expect(series).toEqual(seed);
  });
});

// The emulated VTDPASIDCacheEntry path: vtd_pasid_cache_sync(_locked), the series fall-through,
// gating, and the context-cache triggers (global replay, device-selective devsi).

import { describe, expect, it } from 'vitest';
import { PasidScopeMachine } from '../run/pasidScopeMachine.ts';
import type { RunResult } from '../run/runTypes.ts';
import { ScenarioBuilder, pasidEntryWords } from '../testSupport/scenarioBuilder.ts';
import type { Variant } from '../scenario/scenarioTypes.ts';
import { GateReason, TraceKind } from '../trace/traceFormat.ts';
import { readTraceEvent, traceStepRange } from '../trace/traceReader.ts';
import type { TraceEvent } from '../trace/traceReader.ts';

function emu(r: RunResult, bdf: string, pasid: number) {
  return r.final.emulated[bdf]?.[String(pasid)];
}

function stepEvents(r: RunResult, step: number): TraceEvent[] {
  const { start, end } = traceStepRange(r.trace, step);
  const out: TraceEvent[] = [];
  for (let i = start; i < end; i++) out.push(readTraceEvent(r.trace, i));
  return out;
}

/** An emulated device with an extra PASID-5 address space and a valid PASID-5 entry (DID 3). */
function emulatedWith5(variant: Variant = 'series'): ScenarioBuilder {
  const b = new ScenarioBuilder({}, variant).device('00:02.0', {
    backend: 'emulated',
    pasidAddressSpaces: [5, 5, 0],
  });
  b.setPasidEntry('00:02.0', 5, { pgtt: 1, did: 3 });
  return b;
}

describe('address spaces', () => {
  it('gives every device a PASID-0 space and only emulated devices their extra spaces', () => {
    const b = new ScenarioBuilder({ fsts: false })
      .device('00:01.0', { backend: 'iommufd', pasidAddressSpaces: [7] })
      .device('00:02.0', { backend: 'vfio-legacy', pasidAddressSpaces: [7] })
      .device('00:03.0', { backend: 'emulated', pasidAddressSpaces: [7, 7, 0] });
    const r = b.run();
    expect(Object.keys(r.final.emulated['00:01.0'] ?? {})).toEqual(['0']);
    expect(Object.keys(r.final.emulated['00:02.0'] ?? {})).toEqual(['0']);
    expect(Object.keys(r.final.emulated['00:03.0'] ?? {})).toEqual(['0', '7']);
    expect(Object.keys(r.final.accel)).toEqual(['00:01.0']);
    expect(r.final.accel['00:01.0']).toEqual([]);
  });
});

describe('vtd_pasid_cache_sync_locked', () => {
  it('stores the memory entry on a global invalidation', () => {
    const r = emulatedWith5().global().run();
    expect(emu(r, '00:02.0', 5)).toEqual({
      valid: true,
      entry: pasidEntryWords({ pgtt: 1, did: 3 }),
    });
    expect(r.steps[0]?.changes).toEqual([
      { cache: 'emulated', bdf: '00:02.0', pasid: 0, kind: 'created' },
      { cache: 'emulated', bdf: '00:02.0', pasid: 5, kind: 'created' },
    ]);
  });

  it('filters domain-selective on the memory DID while the cache is invalid', () => {
    const r = emulatedWith5().dsi(4).dsi(3).run();
    expect(r.steps[0]?.changes).toEqual([]);
    expect(r.steps[1]?.changes).toEqual([
      { cache: 'emulated', bdf: '00:02.0', pasid: 5, kind: 'created' },
    ]);
  });

  it('filters PASID-selective on the PASID, then the DID', () => {
    const r = emulatedWith5().psi(3, 6).psi(1, 5).psi(3, 5).run();
    expect(r.steps[0]?.changes).toEqual([]);
    expect(r.steps[1]?.changes).toEqual([]);
    expect(r.steps[2]?.changes.map((c) => c.pasid)).toEqual([5]);
  });

  it('filters on the cached DID while the cache is valid', () => {
    const b = emulatedWith5().global();
    b.writePasidEntry('00:02.0', 5, { pgtt: 1, did: 4 });
    b.dsi(4).dsi(3);
    const r = b.run();
    const skip = stepEvents(r, 2).find((e) => e.kind === 'EmuSkip' && e.pasid === 5);
    expect(skip).toMatchObject({ kind: 'EmuSkip', did: 3 });
    expect(stepEvents(r, 3).some((e) => e.kind === 'EmuDiffers' && e.pasid === 5)).toBe(true);
  });

  it('never overwrites a valid entry: a changed entry is never reported as updated', () => {
    const b = emulatedWith5().global();
    b.writePasidEntry('00:02.0', 5, { pgtt: 1, did: 3, fsptptr: 0x7000n });
    b.global();
    const r = b.run();
    expect(r.steps[2]?.changes).toEqual([]);
    expect(emu(r, '00:02.0', 5)?.entry).toEqual(pasidEntryWords({ pgtt: 1, did: 3 }));
    expect(stepEvents(r, 2).some((e) => e.kind === 'EmuDiffers' && e.pasid === 5)).toBe(true);
    expect(stepEvents(r, 2).some((e) => e.kind === 'EmuUnchanged' && e.pasid === 0)).toBe(true);
  });

  it('removes an entry whose lookup fails whatever the descriptor filters say', () => {
    for (const variant of ['seed', 'series-fixed'] as const) {
      const b = emulatedWith5(variant).global();
      b.writePasidEntry('00:02.0', 5, { present: false, pgtt: 1, did: 3 });
      b.psi(99, 77);
      const r = b.run();
      expect(r.steps[2]?.changes).toEqual([
        { cache: 'emulated', bdf: '00:02.0', pasid: 5, kind: 'removed' },
      ]);
      // An invalid entry keeps its last contents.
      expect(emu(r, '00:02.0', 5)).toEqual({
        valid: false,
        entry: pasidEntryWords({ pgtt: 1, did: 3 }),
      });
    }
  });

  it('skips a failed lookup of an entry that is not cached', () => {
    const b = emulatedWith5();
    b.writePasidEntry('00:02.0', 5, { present: false, pgtt: 1, did: 3 });
    const r = b.global().run();
    expect(r.steps[1]?.changes.filter((c) => c.pasid === 5)).toEqual([]);
    const skip = stepEvents(r, 1).find((e) => e.kind === 'EmuSkip' && e.pasid === 5);
    expect(skip).toMatchObject({ fault: 0x59 });
  });
});

describe('series: the missing return after a removal', () => {
  it("re-creates a torn-down entry from the failed lookup's buffer (leaf as read)", () => {
    const b = emulatedWith5('series').global();
    b.writePasidEntry('00:02.0', 5, { present: false, pgtt: 1, did: 3 });
    b.global().global();
    const r = b.run();
    const torn = pasidEntryWords({ present: false, pgtt: 1, did: 3 });
    expect(r.steps[2]?.changes).toEqual([
      { cache: 'emulated', bdf: '00:02.0', pasid: 5, kind: 'removed' },
      { cache: 'emulated', bdf: '00:02.0', pasid: 5, kind: 'created' },
    ]);
    expect(emu(r, '00:02.0', 5)).toEqual({ valid: true, entry: torn });
    // ... and every later global sync repeats it.
    expect(r.steps[3]?.changes.map((c) => c.kind)).toEqual(['removed', 'created']);
    const created = stepEvents(r, 2).find((e) => e.kind === 'EmuCreated');
    expect(created).toMatchObject({ fallThrough: true });
  });

  it('uses an all-zero buffer when the lookup failed before reading the leaf', () => {
    const b = emulatedWith5('series').global();
    // Directory entry for PASIDs 0-63 gone: PASID 0 fails too (PASID-0 check).
    b.write(b.dirEntryAddr('00:02.0', 5), [0n]);
    b.global();
    const r = b.run();
    expect(emu(r, '00:02.0', 5)).toEqual({ valid: true, entry: new Array<bigint>(8).fill(0n) });
    expect(emu(r, '00:02.0', 0)).toEqual({ valid: true, entry: new Array<bigint>(8).fill(0n) });
    const created = stepEvents(r, 2).find((e) => e.kind === 'EmuCreated' && e.pasid === 5);
    expect(created).toMatchObject({ source: undefined, fallThrough: true });
  });

  it("filters the fall-through on the buffer's DID (domain-selective)", () => {
    const make = (did: number) => {
      const b = emulatedWith5('series').global();
      b.writePasidEntry('00:02.0', 5, { present: false, pgtt: 1, did: 3 });
      return b
        .dsi(did)
        .run()
        .steps[2]?.changes.map((c) => c.kind);
    };
    expect(make(3)).toEqual(['removed', 'created']);
    expect(make(8)).toEqual(['removed']);
  });

  it('filters the fall-through on the PASID (PASID-selective)', () => {
    const b = emulatedWith5('series').global();
    b.writePasidEntry('00:02.0', 5, { present: false, pgtt: 1, did: 3 });
    const r = b.psi(3, 6).run();
    expect(r.steps[2]?.changes.map((c) => c.kind)).toEqual(['removed']);
    expect(emu(r, '00:02.0', 5)?.valid).toBe(false);
  });

  it('keeps the in-RAM bytes of a leaf read beyond RAM in the re-created entry', () => {
    // RAM ends 16 bytes into PASID 5's entry once its table moves to 0x40000000.
    const b = new ScenarioBuilder({ guestRamBytes: 0x4000_0150n }, 'series').device('00:02.0', {
      backend: 'emulated',
      pasidAddressSpaces: [5],
    });
    b.setPasidEntry('00:02.0', 5, { pgtt: 1, did: 3 });
    b.setMemory(0x4000_0000n, pasidEntryWords({ pgtt: 1, did: 1 }));
    b.setMemory(0x4000_0140n, pasidEntryWords({ pgtt: 1, did: 3, fsptptr: 0x5000n }));
    b.global();
    b.write(b.dirEntryAddr('00:02.0', 5), [0x4000_0000n | 1n]);
    b.global();
    const r = b.run();
    const pasid5 = r.steps[2]?.changes.filter((c) => c.pasid === 5).map((c) => c.kind);
    expect(pasid5).toEqual(['removed', 'created']);
    expect(emu(r, '00:02.0', 5)).toEqual({
      valid: true,
      entry: [0x41n, 3n, 0n, 0n, 0n, 0n, 0n, 0n],
    });
  });

  it('does not happen in series-fixed or seed', () => {
    for (const variant of ['seed', 'series-fixed'] as const) {
      const b = emulatedWith5(variant).global();
      b.writePasidEntry('00:02.0', 5, { present: false, pgtt: 1, did: 3 });
      const r = b.global().run();
      expect(r.steps[2]?.changes.map((c) => c.kind)).toEqual(['removed']);
    }
  });
});

describe('gating', () => {
  it.each([
    ['root table not scalable', { rootScalable: false }, GateReason.NotRootScalable],
    ['TE off', { dmarEnabled: false }, GateReason.DmarDisabled],
  ])('%s: the descriptor is processed (with pcInfo) but nothing syncs', (_n, iommu, reason) => {
    const b = new ScenarioBuilder(iommu).device('00:01.0').global();
    const r = b.run();
    expect(r.steps[0]).toMatchObject({
      status: 'processed',
      pcInfo: { type: 3, did: 0, pasid: 0 },
    });
    expect(r.steps[0]?.changes).toEqual([]);
    expect(r.steps[0]?.accelWalk).toEqual({ dirReads: 0, entryReads: 0, listCompares: 0 });
    expect(stepEvents(r, 0).find((e) => e.kind === 'SyncGated')).toMatchObject({ reason });
  });

  it('SMT only counts with scalable mode on', () => {
    // Without scalable mode the queue is 128-bit: use a context-cache global invalidation.
    const b = new ScenarioBuilder({ scalableMode: false, fsts: false, rootScalable: true });
    const r = b.device('00:01.0').cc(1).run();
    expect(r.steps[0]?.status).toBe('processed');
    expect(r.steps[0]?.changes).toEqual([]);
    expect(stepEvents(r, 0).find((e) => e.kind === 'SyncGated')).toMatchObject({
      reason: GateReason.NotRootScalable,
    });
  });

  it('fsts off: the emulated cache syncs, the accel lists do not', () => {
    const b = new ScenarioBuilder({ fsts: false }).device('00:01.0').global();
    const r = b.run();
    expect(r.steps[0]?.changes).toEqual([
      { cache: 'emulated', bdf: '00:01.0', pasid: 0, kind: 'created' },
    ]);
    expect(stepEvents(r, 0).find((e) => e.kind === 'SyncGated')).toMatchObject({
      reason: GateReason.FstsOff,
    });
  });
});

describe('context-cache device-selective: vtd_pasid_cache_devsi', () => {
  function devsiScenario(iommu = {}): ScenarioBuilder {
    return new ScenarioBuilder(iommu)
      .device('00:01.0')
      .device('00:01.1', { backend: 'emulated', pasidAddressSpaces: [5] })
      .device('00:01.4', { backend: 'emulated' })
      .device('01:01.0', { backend: 'emulated' });
  }

  it('syncs the matching address spaces only, as a global sync, and leaves accel lists alone', () => {
    const b = devsiScenario();
    b.setPasidEntry('00:01.1', 5, { pgtt: 1, did: 3 });
    b.cc(3, { sourceId: 0x0009 });
    const r = b.run();
    expect(r.steps[0]?.changes).toEqual([
      { cache: 'emulated', bdf: '00:01.1', pasid: 0, kind: 'created' },
      { cache: 'emulated', bdf: '00:01.1', pasid: 5, kind: 'created' },
    ]);
    expect(r.final.accel['00:01.0']).toEqual([]);
  });

  it('applies the function mask to devfn', () => {
    const pasids = (fm: number) =>
      devsiScenario()
        .cc(3, { sourceId: 0x0008, functionMask: fm })
        .run()
        .steps[0]?.changes.map((c) => c.bdf);
    expect(pasids(0)).toEqual(['00:01.0']);
    // FM 1 ignores devfn bit 2: 00:01.0 (devfn 8) and 00:01.4 (devfn 12).
    expect(pasids(1)).toEqual(['00:01.0', '00:01.4']);
    // FM 3 ignores bits 2:0: every function of device 1 on bus 0.
    expect(pasids(3)).toEqual(['00:01.0', '00:01.1', '00:01.4']);
  });

  it('does nothing without fsts, root-scalable and DMAR', () => {
    for (const iommu of [{ fsts: false }, { rootScalable: false }, { dmarEnabled: false }]) {
      const r = devsiScenario(iommu).cc(3, { sourceId: 0x0008 }).run();
      expect(r.steps[0]?.status).toBe('processed');
      expect(r.steps[0]?.changes).toEqual([]);
    }
  });

  it('records the devsi in the trace per address space', () => {
    const r = devsiScenario().cc(3, { sourceId: 0x0009 }).run();
    const kinds = stepEvents(r, 0).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'SyncBegin')).toHaveLength(2);
    const m = new PasidScopeMachine(
      devsiScenario({ fsts: false }).cc(3, { sourceId: 0x9 }).build(),
    );
    m.runAll();
    const t = m.trace();
    expect([...t.kind.subarray(0, t.length)].filter((k) => k === TraceKind.SyncGated)).toHaveLength(
      2,
    );
  });
});

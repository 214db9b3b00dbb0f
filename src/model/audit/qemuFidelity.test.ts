// Independent fidelity audit of the model against QEMU's intel_iommu.c / intel_iommu_accel.c
// (patchew-project/qemu @ 05213a66, the series as applied) and semantics.md. Every expected value
// below was derived from QEMU's code by hand (the comment names the function and the logic), not
// copied from the model. Structures are encoded by auditKit.ts, not by the model's codecs.

import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../memory/guestMemory.ts';
import type { ContractJson } from '../run/contractJson.ts';
import type { Variant } from '../scenario/scenarioTypes.ts';
import {
  accelSkipFault,
  cc,
  clearIqe,
  CTX_HI,
  DeviceTables,
  dirEntryAddr,
  dsi,
  emulatedLookupFaults,
  emulatedOutcomes,
  Guest,
  gsi,
  leafAddr,
  pasidEntry,
  pc,
  psi,
  raw,
  run,
  runFile,
  scenarioFile,
  wait,
  words8,
  write,
  ZERO8,
} from './auditKit.ts';
import type { DeviceSpec, PasidEntryFields, ScenarioSpec, Step } from './auditKit.ts';

const BDF = '00:02.0';
const DEVFN = 0x10;
const DIR = 0x10000n;
/** PASID 0 as every standard layout has it: pass-through, DID 1. */
const PT0 = words8(pasidEntry());
const ZERO_WALK = { dirReads: 0, entryReads: 0, listCompares: 0 };
const NO_HOST_OPS: readonly never[] = [];
/**
 * hostOps of a seed sync that creates the pass-through PASID-0 entry of an iommufd device: the
 * emulated path attaches PASID 0 to the nesting parent; the seed's accel entries bind nothing.
 */
const SEED_BINDS_PT0 = [{ op: 'attach', bdf: BDF, pasid: 0, ok: true, hwpt: 1 }];
const VARIANTS: readonly Variant[] = ['seed', 'series', 'series-fixed'];

/** One device on bus 0 at devfn 0x10 with a PDTS-`pdts` directory and a valid PASID 0. */
function base(pdts = 7): { g: Guest; d: DeviceTables } {
  const g = new Guest();
  const d = new DeviceTables(g, DEVFN, DIR, pdts);
  d.entry(0);
  return { g, d };
}

const iommufd = (maxPasidLog2 = 8, bdf = BDF): DeviceSpec => ({
  bdf,
  backend: 'iommufd',
  maxPasidLog2,
});
const emulated = (pasidAddressSpaces: readonly number[] = [], bdf = BDF): DeviceSpec => ({
  bdf,
  backend: 'emulated',
  pasidAddressSpaces,
});

const created = (cache: 'accel' | 'emulated', pasid: number, bdf = BDF) =>
  ({ cache, bdf, pasid, kind: 'created' }) as const;
const removed = (cache: 'accel' | 'emulated', pasid: number, bdf = BDF) =>
  ({ cache, bdf, pasid, kind: 'removed' }) as const;
const updated = (cache: 'accel' | 'emulated', pasid: number, bdf = BDF) =>
  ({ cache, bdf, pasid, kind: 'updated' }) as const;

function step(json: ContractJson, i: number): ContractJson['steps'][number] {
  const s = json.steps[i];
  if (!s) throw new Error(`no step ${i}`);
  return s;
}

function accelPasids(json: ContractJson, bdf = BDF): number[] {
  return (json.final.accel[bdf] ?? []).map((e) => e.pasid);
}

function emu(
  json: ContractJson,
  pasid: number,
  bdf = BDF,
): { valid: boolean; entry: readonly string[] } {
  const e = json.final.emulated[bdf]?.[String(pasid)];
  if (!e) throw new Error(`no address space ${bdf} / ${pasid}`);
  return e;
}

/** Fault code of the PASID-0 emulated lookup in the first step (a global sync). */
function pasid0Fault(spec: Omit<ScenarioSpec, 'steps'>): number {
  const r = run({ ...spec, steps: [gsi()] });
  const f = emulatedLookupFaults(r.result, 0)[0];
  if (f === undefined) throw new Error('no PASID-0 lookup in the step');
  return f;
}

// ---------------------------------------------------------------------------------------------
describe('vtd_process_pasid_desc: pcInfo is the zero-initialised VTDPASIDCacheInfo', () => {
  it('domain-selective reports pasid 0 even when the descriptor carries PASID bits', () => {
    // G=0 case sets only pc_info.did; pc_info = {} leaves pasid 0.
    const { g } = base();
    const r = run({
      devices: [iommufd()],
      guest: g,
      steps: [raw(7n | (0x5n << 16n) | (0x9n << 32n), 0n, 0n, 0n)],
    });
    expect(step(r.json, 0)).toMatchObject({
      status: 'processed',
      pcInfo: { type: 0, did: 5, pasid: 0 },
    });
  });

  it('global reports did 0 and pasid 0 whatever the descriptor carries', () => {
    const { g } = base();
    const r = run({
      devices: [iommufd()],
      guest: g,
      steps: [raw(7n | (3n << 4n) | (0xffffn << 16n) | (0xfffffn << 32n), 0n, 0n, 0n)],
    });
    expect(step(r.json, 0).pcInfo).toEqual({ type: 3, did: 0, pasid: 0 });
  });

  it('PASID-selective reports DID bits 31:16 and PASID bits 51:32', () => {
    const { g } = base();
    const r = run({ devices: [iommufd()], guest: g, steps: [psi(0x1234, 0xfffff)] });
    expect(step(r.json, 0).pcInfo).toEqual({ type: 1, did: 0x1234, pasid: 0xfffff });
  });

  it('granularity 2 is rejected (IQE), with no pcInfo and no accelWalk', () => {
    const { g } = base();
    const r = run({ devices: [iommufd()], guest: g, steps: [pc(2, 1, 0)] });
    const s0 = step(r.json, 0);
    expect(s0.status).toBe('rejected');
    expect(s0.error).toMatch(/granularity/);
    expect(Object.keys(s0).sort()).toEqual([
      'changes',
      'error',
      'hostOps',
      'index',
      'op',
      'status',
    ]);
    expect(s0.changes).toEqual([]);
    expect(r.json.final.iqe).toBe(true);
  });

  it('a structured invalidation runs exactly like the raw descriptor it encodes', () => {
    // semantics.md: [7 | G<<4 | did<<16 | pasid<<32, 0, 0, 0], missing did/pasid = 0.
    const build = (steps: Step[]): unknown => {
      const { g, d } = base();
      d.entry(7, { did: 3 }).entry(9, { did: 0 });
      return scenarioFile({ variant: 'series', devices: [iommufd()], guest: g, steps });
    };
    const structured = runFile(
      build([
        { op: 'invalidate', granularity: 'pasid', did: 3, pasid: 7 },
        { op: 'invalidate', granularity: 'domain', did: 3, pasid: 7 },
        { op: 'invalidate', granularity: 'domain' },
        { op: 'invalidate', granularity: 'global', did: 3 },
      ]),
    );
    const rawRun = runFile(
      build([
        raw(7n | (1n << 4n) | (3n << 16n) | (7n << 32n), 0n, 0n, 0n),
        raw(7n | (3n << 16n) | (7n << 32n), 0n, 0n, 0n),
        raw(7n, 0n, 0n, 0n),
        raw(7n | (3n << 4n) | (3n << 16n), 0n, 0n, 0n),
      ]),
    );
    expect(structured.json).toEqual(rawRun.json);
    // And it did something: PASID 7 (DID 3) was created by the first, PASID 9 (DID 0) by the third.
    expect(step(structured.json, 0).changes).toEqual([created('accel', 7)]);
    expect(step(structured.json, 2).changes).toEqual([created('accel', 9)]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('gating (vtd_pasid_cache_sync, vtd_accel_pasid_cache_sync, vtd_update_iq_dw)', () => {
  it.each([
    ['rootScalable off', { rootScalable: false }],
    ['DMAR off', { dmarEnabled: false }],
  ])('%s: the step is processed with pcInfo but nothing is synced', (_n, iommu) => {
    const { g, d } = base();
    d.entry(3, { did: 5 });
    const r = run({
      iommu,
      devices: [iommufd(), emulated([3], '00:03.0')],
      guest: g,
      steps: [gsi()],
    });
    expect(step(r.json, 0)).toEqual({
      index: 0,
      op: 'invalidate',
      status: 'processed',
      pcInfo: { type: 3, did: 0, pasid: 0 },
      accelWalk: ZERO_WALK,
      changes: [],
      hostOps: NO_HOST_OPS,
    });
  });

  it('without scalable mode the queue is 128-bit: every PASID-cache descriptor is rejected', () => {
    // vtd_update_iq_dw needs ECAP.SMTS; vtd_inv_desc_reserved_check(dw=true) in a 128-bit queue.
    const { g } = base();
    const r = run({
      iommu: { scalableMode: false, fsts: false, pasidBits: 0, queueWidth: 256 },
      devices: [emulated()],
      guest: g,
      steps: [gsi()],
    });
    expect(step(r.json, 0).status).toBe('rejected');
    expect(step(r.json, 0).error).toMatch(/128-bit/);
  });

  it('rootScalable counts only with scalable mode: a context-cache global replay syncs nothing', () => {
    // vtd_update_scalable_state latches SMT only if s->scalable_mode.
    const { g } = base();
    const r = run({
      iommu: { scalableMode: false, fsts: false, pasidBits: 0, rootScalable: true },
      devices: [emulated()],
      guest: g,
      steps: [cc(1)],
    });
    expect(step(r.json, 0)).toMatchObject({
      status: 'processed',
      accelWalk: ZERO_WALK,
      changes: [],
    });
    expect(emu(r.json, 0).valid).toBe(false);
  });

  it('fsts off: the emulated path runs, the accel path does nothing', () => {
    // vtd_accel_pasid_cache_sync: if (!s->fsts) return. Without fsts, ECAP.SSTS: PGTT 2 accepted.
    const g = new Guest();
    new DeviceTables(g, DEVFN, DIR).entry(0, { pgtt: 2, aw: 2 });
    const r = run({ iommu: { fsts: false }, devices: [iommufd()], guest: g, steps: [gsi()] });
    expect(step(r.json, 0)).toMatchObject({
      accelWalk: ZERO_WALK,
      changes: [created('emulated', 0)],
    });
    expect(r.json.final.accel).toEqual({ [BDF]: [] });
  });
});

// ---------------------------------------------------------------------------------------------
describe('vtd_pe_type_check and the level checks of vtd_get_pe_in_pasid_leaf_table', () => {
  // fsts=on: ECAP.FSTS | PT (no SSTS). First stage: only FSPM 0 (vtd_is_fs_level_supported).
  it.each<[string, PasidEntryFields, number]>([
    ['PGTT 1, FSPM 0', { pgtt: 1 }, 0],
    ['PGTT 1, FSPM 1', { pgtt: 1, fspm: 1 }, 0x5b],
    ['PGTT 2 (no SSTS with fsts)', { pgtt: 2, aw: 2 }, 0x5b],
    ['PGTT 3 nested', { pgtt: 3 }, 0x5b],
    ['PGTT 4 pass-through', { pgtt: 4 }, 0],
    ['PGTT 0', { pgtt: 0 }, 0x5b],
    ['PGTT 5', { pgtt: 5 }, 0x5b],
    ['PGTT 7', { pgtt: 7 }, 0x5b],
  ])('fsts on: %s', (_n, f, fault) => {
    const g = new Guest();
    new DeviceTables(g, DEVFN, DIR).entry(0, f);
    expect(pasid0Fault({ devices: [emulated()], guest: g })).toBe(fault);
  });

  // fsts=off, scalable: ECAP.SSTS | PT. Second stage: level AW+2 must be in CAP.SAGAW
  // (39-bit -> 3-level always, 48-bit -> 4-level with aw-bits 48).
  it.each<[string, 39 | 48, PasidEntryFields, number]>([
    ['PGTT 1 (no FSTS)', 48, { pgtt: 1 }, 0x5b],
    ['PGTT 2, AW 1 (3-level), aw 39', 39, { pgtt: 2, aw: 1 }, 0],
    ['PGTT 2, AW 1 (3-level), aw 48', 48, { pgtt: 2, aw: 1 }, 0],
    ['PGTT 2, AW 2 (4-level), aw 48', 48, { pgtt: 2, aw: 2 }, 0],
    ['PGTT 2, AW 2 (4-level), aw 39', 39, { pgtt: 2, aw: 2 }, 0x5b],
    ['PGTT 2, AW 0 (2-level)', 48, { pgtt: 2, aw: 0 }, 0x5b],
    ['PGTT 2, AW 3 (5-level)', 48, { pgtt: 2, aw: 3 }, 0x5b],
    ['PGTT 4 pass-through', 39, { pgtt: 4 }, 0],
  ])('fsts off: %s', (_n, awBits, f, fault) => {
    const g = new Guest();
    new DeviceTables(g, DEVFN, DIR).entry(0, f);
    expect(pasid0Fault({ iommu: { fsts: false, awBits }, devices: [emulated()], guest: g })).toBe(
      fault,
    );
  });

  it.each<[string, PasidEntryFields, number]>([
    ['P=0, PGTT 0', { present: false, pgtt: 0 }, 0x5b],
    ['P=0, PGTT 2 (unsupported with fsts)', { present: false, pgtt: 2, aw: 2 }, 0x5b],
    ['P=0, PGTT 4', { present: false, pgtt: 4 }, 0x59],
    ['P=0, PGTT 1, FSPM 1', { present: false, pgtt: 1, fspm: 1 }, 0x5b],
  ])('the type/level checks come before the present bit: %s', (_n, f, fault) => {
    const g = new Guest();
    new DeviceTables(g, DEVFN, DIR).entry(0, f);
    expect(pasid0Fault({ devices: [emulated()], guest: g })).toBe(fault);
  });
});

// ---------------------------------------------------------------------------------------------
describe('vtd_dev_to_context_entry: order of checks and fault codes', () => {
  it.each<[string, string, number]>([
    // root entry [0x1000, 0x1010), context [0x2200, 0x2220), dir entry [0x10000, 0x10008),
    // PASID-0 leaf [0x100000, 0x100040); a DMA read of [a, a+len) fails when a+len > RAM.
    ['root entry read fails', '0x1008', 0x8],
    ['context entry read fails', '0x1010', 0x9],
    ['PASID-0 directory read fails', '0x2220', 0x50],
    ['PASID-0 leaf read fails', '0x10008', 0x58],
    ['PASID-0 leaf read one byte short', '0x10003f', 0x58],
    ['everything just inside RAM', '0x100040', 0],
  ])('%s (RAM %s)', (_n, ram, fault) => {
    const { g } = base();
    expect(pasid0Fault({ iommu: { guestRamBytes: ram }, devices: [emulated()], guest: g })).toBe(
      fault,
    );
  });

  it.each<[string, bigint, bigint, number]>([
    ['lower half not present (reserved bits set too)', 0x2002n, 0n, 0x1],
    ['reserved bit 1 in the lower half', 0x2003n, 0x3001n, 0xa],
    ['reserved bit 11 in the unused upper half', 0x2001n, 0x3801n, 0xa],
    // CTP bit 48 would point beyond RAM (0x9), but the reserved check comes first.
    ['lower half with a bit at or above aw 48', (1n << 48n) | 0x2001n, 0n, 0xa],
    ['upper half absent, devfn < 128 uses the lower half', 0x2001n, 0n, 0],
  ])('root entry: %s', (_n, lo, hi, fault) => {
    const { g } = base();
    g.rootEntry(0, lo, hi);
    expect(pasid0Fault({ devices: [emulated()], guest: g })).toBe(fault);
  });

  it.each<[string, bigint, bigint, number]>([
    ['standard (upper half present)', 0x2001n, CTX_HI | 1n, 0],
    ['upper half not present although the lower one is', 0x2001n, CTX_HI, 0x1],
    ['only the upper half present', 0n, CTX_HI | 1n, 0],
  ])('devfn > 127 uses the root entry upper half: %s', (_n, lo, hi, fault) => {
    // vtd_root_entry_present / vtd_get_context_entry_from_root: devfn > 127 -> re->hi, index & 0x7f.
    const g = new Guest();
    new DeviceTables(g, 0x80, DIR).entry(0);
    g.rootEntry(0, lo, hi);
    expect(pasid0Fault({ devices: [emulated([], '00:10.0')], guest: g })).toBe(fault);
  });

  it.each<[string, { val0?: bigint; val1?: bigint; val2?: bigint; val3?: bigint }, number]>([
    ['val0 bit 5 (reserved)', { val0: 1n << 5n }, 0xb],
    ['val0 bit 8 (reserved)', { val0: 1n << 8n }, 0xb],
    ['val0 bit 48 (at or above aw 48)', { val0: 1n << 48n }, 0xb],
    ['val0 FPD, DTE, PASIDE, PRE', { val0: 0x1en }, 0],
    ['val1 bit 21 (reserved)', { val1: 1n << 21n }, 0xb],
    ['val1 RID_PRIV (bit 20)', { val1: 1n << 20n }, 0],
    ['val1 RID_PASID 5 (ignored: PASID 0 is used)', { val1: 5n }, 0],
    ['val2 non-zero', { val2: 1n }, 0xb],
    ['val3 non-zero', { val3: 1n << 63n }, 0xb],
  ])('scalable context entry: %s', (_n, more, fault) => {
    const g = new Guest();
    const d = new DeviceTables(g, DEVFN, DIR).entry(0);
    d.entry(5, { present: false }); // RID_PASID 5 would fail if QEMU used it
    g.context(DEVFN, DIR, 7, more);
    expect(pasid0Fault({ devices: [emulated()], guest: g })).toBe(fault);
  });

  it('the root entry is indexed by bus: a device on bus 1 uses root + 16', () => {
    const g = new Guest(false);
    g.rootEntry(1, 0x4000n | 1n, 0n);
    g.set(0x4000n + 0x08n * 32n, 0x20000n | (7n << 9n) | 1n); // 01:01.0 -> devfn 8
    g.dirEntry(0x20000n, 0, 0x6000n | 1n).leaf(0x6000n, 0, pasidEntry());
    expect(pasid0Fault({ devices: [emulated([], '01:01.0')], guest: g })).toBe(0);
    const g0 = new Guest(false);
    g0.rootEntry(0, 0x4000n | 1n, 0n); // bus 0 only: bus 1's root entry is absent
    g0.set(0x4000n + 0x08n * 32n, 0x20000n | (7n << 9n) | 1n);
    g0.dirEntry(0x20000n, 0, 0x6000n | 1n).leaf(0x6000n, 0, pasidEntry());
    expect(pasid0Fault({ devices: [emulated([], '01:01.0')], guest: g0 })).toBe(0x1);
  });

  it('context present is checked before its reserved bits', () => {
    const { g } = base();
    g.set(Guest.contextAddr(DEVFN), DIR | (1n << 5n), 1n << 40n); // P=0, reserved bits set
    expect(pasid0Fault({ devices: [emulated()], guest: g })).toBe(0x2);
  });

  it('context reserved bits depend on aw: a directory pointer bit 40 is reserved with aw 39', () => {
    const g = new Guest();
    new DeviceTables(g, DEVFN, DIR).entry(0, { pgtt: 2, aw: 1 });
    g.context(DEVFN, DIR, 7, { val0: 1n << 40n });
    const spec = { devices: [emulated()], guest: g };
    expect(pasid0Fault({ ...spec, iommu: { fsts: false, awBits: 39 } })).toBe(0xb);
    // With aw 48 bit 40 is an address bit: the directory is then read beyond RAM.
    expect(pasid0Fault({ ...spec, iommu: { fsts: false, awBits: 48 } })).toBe(0x50);
  });

  it.each<[string, (g: Guest) => void, number]>([
    ['directory entry not present', (g) => g.dirEntry(DIR, 0, 0x100000n), 0x51],
    ['leaf not present', (g) => g.leaf(0x100000n, 0, pasidEntry({ present: false })), 0x59],
    ['leaf all zero', (g) => g.leaf(0x100000n, 0, [0n]), 0x5b],
  ])('PASID-0 check (vtd_ce_pasid_0_check): %s', (_n, edit, fault) => {
    const { g } = base();
    edit(g);
    expect(pasid0Fault({ devices: [emulated()], guest: g })).toBe(fault);
  });

  it('a failing PASID-0 entry makes every other PASID of the device invalid too', () => {
    const { g, d } = base();
    d.entry(0, { present: false }).entry(5, { did: 1 });
    const r = run({ devices: [emulated([5])], guest: g, steps: [gsi(), psi(1, 5)] });
    expect(emulatedLookupFaults(r.result, 0)).toEqual({ 0: 0x59, 5: 0x59 });
    expect(step(r.json, 0).changes).toEqual([]);
    expect(step(r.json, 1).changes).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('addresses: rootTableAddr masking, unmasked directory / table pointers, no reserved checks', () => {
  function sstSpec(awBits: 39 | 48, rootTableAddr: string): ScenarioSpec {
    const g = new Guest();
    new DeviceTables(g, DEVFN, DIR).entry(0, { pgtt: 2, aw: 1 });
    return {
      iommu: { fsts: false, awBits, rootTableAddr },
      devices: [emulated()],
      guest: g,
      steps: [gsi()],
    };
  }

  it('RTADDR is masked to bits [12, aw): bit 47 is dropped with aw 39, kept with aw 48', () => {
    // vtd_root_table_setup: s->root &= VTD_RTADDR_ADDR_MASK(aw) = HAW(aw) ^ 0xfff.
    const r39 = run(sstSpec(39, '0x800000001abc'));
    expect(emulatedLookupFaults(r39.result, 0)[0]).toBe(0);
    expect(step(r39.json, 0).changes).toEqual([created('emulated', 0)]);
    const r48 = run(sstSpec(48, '0x800000001abc'));
    expect(emulatedLookupFaults(r48.result, 0)[0]).toBe(0x8);
    expect(step(r48.json, 0).changes).toEqual([]);
    const low = run(sstSpec(48, '0x1fff'));
    expect(emulatedLookupFaults(low.result, 0)[0]).toBe(0);
  });

  it("a directory entry's table pointer is not masked (bit 50 sends the read beyond RAM)", () => {
    // vtd_get_pe_from_pdire: pdire.val & VTD_PASID_TABLE_BASE_ADDR_MASK (~0xfff), no HAW.
    const { g } = base();
    g.dirEntry(DIR, 0, (1n << 50n) | 0x100000n | 1n);
    expect(pasid0Fault({ devices: [emulated()], guest: g })).toBe(0x58);
  });

  it('directory entry bits 1..11 and PASID entry reserved bits are never checked', () => {
    const { g } = base();
    g.dirEntry(DIR, 0, 0x100000n | 0xfffn);
    const messy = pasidEntry({
      extra: { 0: (1n << 5n) | (1n << 9n), 1: 0xffff_ffff_ffff_0000n, 3: ~0n, 7: ~0n },
    });
    g.leaf(0x100000n, 0, messy);
    const r = run({ devices: [iommufd(0)], guest: g, steps: [gsi()] });
    expect(step(r.json, 0).changes).toEqual([created('emulated', 0), created('accel', 0)]);
    expect(emu(r.json, 0)).toEqual({ valid: true, entry: words8(messy) });
    expect(r.json.final.accel[BDF]).toEqual([{ pasid: 0, entry: words8(messy) }]);
  });

  it('PDTS limits only the accel walk: lookups read any directory index', () => {
    const g = new Guest();
    // 00:02.0 emulated, PDTS 0 (512 directory entries), PASID 40000 = directory index 625.
    new DeviceTables(g, DEVFN, DIR, 0).entry(0).entry(40000);
    // 00:03.0 iommufd, PDTS 0: ce_max_pasid = 2^7 * 64 = 8192.
    new DeviceTables(g, 0x18, 0x30000n, 0).entry(0).entry(40000);
    const r = run({
      devices: [emulated([40000]), iommufd(20, '00:03.0')],
      guest: g,
      steps: [psi(1, 40000), gsi()],
    });
    // PASID-SI: start 40000, end MIN(40001, MIN(2^20, 8192)) = 8192 -> nothing walked.
    expect(step(r.json, 0)).toMatchObject({
      accelWalk: ZERO_WALK,
      changes: [created('emulated', 40000)],
    });
    // Global: end = MIN(2^20, MIN(2^20, 8192)) -> 128 chunks, only chunk 0 present.
    expect(step(r.json, 1)).toMatchObject({
      accelWalk: { dirReads: 128, entryReads: 64, listCompares: 0 },
      changes: [
        created('emulated', 0),
        created('emulated', 0, '00:03.0'),
        created('accel', 0, '00:03.0'),
      ],
    });
    expect(accelPasids(r.json, '00:03.0')).toEqual([0]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('emulated VTDPASIDCacheEntry (vtd_pasid_cache_sync_locked)', () => {
  it('is never "updated": a changed valid entry keeps its cached copy (the accel one updates)', () => {
    const { g, d } = base();
    const changedPt0 = pasidEntry({ extra: { 3: 0x77n } });
    const r = run({
      devices: [iommufd(0)],
      guest: g,
      steps: [gsi(), write(d.leafAddr(0), changedPt0), gsi()],
    });
    expect(step(r.json, 0).changes).toEqual([created('emulated', 0), created('accel', 0)]);
    expect(step(r.json, 2).changes).toEqual([updated('accel', 0)]);
    expect(emu(r.json, 0)).toEqual({ valid: true, entry: PT0 });
    expect(r.json.final.accel[BDF]).toEqual([{ pasid: 0, entry: words8(changedPt0) }]);
  });

  it.each(VARIANTS)(
    '%s: removal ignores the DID/PASID filters; the invalid entry keeps its last contents',
    (variant) => {
      const { g, d } = base();
      const r = run({
        variant,
        devices: [emulated()],
        guest: g,
        steps: [gsi(), write(d.leafAddr(0), pasidEntry({ present: false })), psi(77, 9)],
      });
      // series falls through, but the PASID-SI filter (9 != 0) then returns.
      expect(step(r.json, 2).changes).toEqual([removed('emulated', 0)]);
      expect(emu(r.json, 0)).toEqual({ valid: false, entry: PT0 });
    },
  );

  it('an AS that was never valid keeps zeros', () => {
    const { g } = base();
    const r = run({ devices: [emulated([5])], guest: g, steps: [gsi()] });
    expect(emu(r.json, 5)).toEqual({ valid: false, entry: ZERO8 });
  });

  it('domain- and PASID-selective filter on the memory DID while nothing is cached', () => {
    const { g, d } = base();
    d.entry(5, { did: 9 });
    const r = run({
      devices: [emulated([5])],
      guest: g,
      steps: [dsi(1), psi(8, 5), psi(9, 5)],
    });
    expect(step(r.json, 0).changes).toEqual([created('emulated', 0)]);
    expect(step(r.json, 1).changes).toEqual([]);
    expect(step(r.json, 2).changes).toEqual([created('emulated', 5)]);
  });

  it('while valid, the DSI filter compares the cached DID, not memory (trace)', () => {
    const { g, d } = base();
    d.entry(5, { did: 5 });
    const r = run({
      devices: [emulated([5])],
      guest: g,
      steps: [gsi(), d.entryWrite(5, { did: 6 }), dsi(6), dsi(5)],
    });
    // dsi(6): cached DID 5 != 6 -> skipped; dsi(5): passes, memory differs -> switch + sync only.
    expect(step(r.json, 2).changes).toEqual([]);
    expect(step(r.json, 3).changes).toEqual([]);
    expect(emulatedOutcomes(r.result, 2, 5)).toEqual(['EmuSkip']);
    expect(emulatedOutcomes(r.result, 3, 5)).toEqual(['EmuDiffers']);
    expect(emu(r.json, 5)).toEqual({ valid: true, entry: words8(pasidEntry({ did: 5 })) });
  });

  it('address spaces: PASID 0 for every device, extra PASIDs only on emulated devices', () => {
    const { g } = base();
    const r = run({
      iommu: { fsts: false },
      devices: [
        emulated([0, 5, 5, 9]),
        { bdf: '00:03.0', backend: 'iommufd', maxPasidLog2: 8, pasidAddressSpaces: [4] },
        { bdf: '00:04.0', backend: 'vfio-legacy' },
      ],
      guest: g,
      steps: [],
    });
    expect(Object.keys(r.json.final.emulated[BDF] ?? {}).sort()).toEqual(['0', '5', '9']);
    expect(Object.keys(r.json.final.emulated['00:03.0'] ?? {})).toEqual(['0']);
    expect(Object.keys(r.json.final.emulated['00:04.0'] ?? {})).toEqual(['0']);
    expect(r.json.final.accel).toEqual({ '00:03.0': [] });
  });
});

// ---------------------------------------------------------------------------------------------
describe('series: the missing return after the emulated removal branch', () => {
  const notPresent5 = pasidEntry({ present: false, did: 1, extra: { 3: 0xabcn } });

  function leafNotPresent(variant: Variant): ContractJson {
    const { g, d } = base();
    d.entry(5);
    return run({
      variant,
      devices: [emulated([5])],
      guest: g,
      steps: [gsi(), write(d.leafAddr(5), notPresent5), gsi(), gsi()],
    }).json;
  }

  it('series: a non-present leaf is removed, then re-created from the entry as read, every time', () => {
    const json = leafNotPresent('series');
    expect(step(json, 0).changes).toEqual([created('emulated', 0), created('emulated', 5)]);
    expect(step(json, 2).changes).toEqual([removed('emulated', 5), created('emulated', 5)]);
    expect(step(json, 3).changes).toEqual([removed('emulated', 5), created('emulated', 5)]);
    expect(emu(json, 5)).toEqual({ valid: true, entry: words8(notPresent5) });
  });

  it.each(['seed', 'series-fixed'] as const)('%s: removed once, then nothing', (variant) => {
    const json = leafNotPresent(variant);
    expect(step(json, 2).changes).toEqual([removed('emulated', 5)]);
    expect(step(json, 3).changes).toEqual([]);
    expect(emu(json, 5)).toEqual({ valid: false, entry: words8(pasidEntry()) });
  });

  it('series: the PASID-0 AS re-creates zeros (the PASID-0 check reads into its own buffer)', () => {
    const { g, d } = base();
    const r = run({
      variant: 'series',
      devices: [emulated()],
      guest: g,
      steps: [gsi(), write(d.leafAddr(0), pasidEntry({ present: false, extra: { 3: 1n } })), gsi()],
    });
    expect(step(r.json, 2).changes).toEqual([removed('emulated', 0), created('emulated', 0)]);
    expect(emu(r.json, 0)).toEqual({ valid: true, entry: ZERO8 });
  });

  it('series: a directory entry that is no longer present re-creates zeros', () => {
    const { g, d } = base();
    d.entry(70);
    const r = run({
      variant: 'series',
      devices: [emulated([70])],
      guest: g,
      steps: [gsi(), write(dirEntryAddr(DIR, 70), [0n]), gsi()],
    });
    expect(step(r.json, 2).changes).toEqual([removed('emulated', 70), created('emulated', 70)]);
    expect(emu(r.json, 70)).toEqual({ valid: true, entry: ZERO8 });
  });

  it('series: a leaf read partly beyond RAM re-creates the in-RAM bytes and zeros', () => {
    // Table A fully in RAM, table B at 0x40000 with RAM ending at 0x40160: PASID 5's entry
    // [0x40140, 0x40180) has val[0..3] inside RAM.
    const tableA = 0x5000n;
    const tableB = 0x40000n;
    const g = new Guest();
    g.context(DEVFN, DIR, 7);
    g.dirEntry(DIR, 0, tableA | 1n);
    g.leaf(tableA, 0, pasidEntry()).leaf(tableA, 5, pasidEntry());
    const straddling = pasidEntry({ extra: { 2: 0x2220n, 3: 0x3330n, 4: 0x4440n, 7: 0x7770n } });
    g.leaf(tableB, 0, pasidEntry()).leaf(tableB, 5, straddling);
    const spec = (variant: Variant): ScenarioSpec => ({
      variant,
      iommu: { guestRamBytes: '0x40160' },
      devices: [emulated([5])],
      guest: g,
      steps: [gsi(), write(dirEntryAddr(DIR, 0), [tableB | 1n]), gsi()],
    });
    const series = run(spec('series'));
    expect(emulatedLookupFaults(series.result, 2)).toEqual({ 0: 0, 5: 0x58 });
    expect(step(series.json, 2).changes).toEqual([removed('emulated', 5), created('emulated', 5)]);
    expect(emu(series.json, 5)).toEqual({
      valid: true,
      entry: words8([0x101n, 1n, 0x2220n, 0x3330n]),
    });
    const seed = run(spec('seed'));
    expect(step(seed.json, 2).changes).toEqual([removed('emulated', 5)]);
    expect(emu(seed.json, 5)).toEqual({ valid: false, entry: words8(pasidEntry()) });
  });

  it.each<[Variant, number, readonly unknown[], boolean]>([
    ['series', 6, [removed('emulated', 5), created('emulated', 5)], true],
    ['series', 5, [removed('emulated', 5)], false],
    ['seed', 6, [removed('emulated', 5)], false],
  ])(
    "%s: after the removal the DSI filter compares the failed lookup's DID (DSI %i)",
    (variant, did, changes, validAfter) => {
      // Cached DID 5; the guest clears P and changes the DID to 6 in place.
      const { g, d } = base();
      d.entry(5, { did: 5 });
      const torn = pasidEntry({ present: false, did: 6 });
      const r = run({
        variant,
        devices: [emulated([5])],
        guest: g,
        steps: [gsi(), write(d.leafAddr(5), torn), dsi(did)],
      });
      expect(step(r.json, 2).changes).toEqual(changes);
      expect(emu(r.json, 5)).toEqual({
        valid: validAfter,
        entry: words8(validAfter ? torn : pasidEntry({ did: 5 })),
      });
    },
  );

  it.each<[number, readonly unknown[], boolean]>([
    [0, [removed('emulated', 0), created('emulated', 0)], true],
    [77, [removed('emulated', 0)], false],
  ])(
    'series: after a PASID-0 check failure the buffer is zero: DSI with DID %i',
    (did, changes, validAfter) => {
      const { g, d } = base();
      const r = run({
        variant: 'series',
        devices: [emulated()],
        guest: g,
        steps: [gsi(), write(d.leafAddr(0), pasidEntry({ present: false })), dsi(did), gsi()],
      });
      expect(step(r.json, 2).changes).toEqual(changes);
      expect(emu(r.json, 0)).toEqual({ valid: validAfter, entry: validAfter ? ZERO8 : PT0 });
      // The next global: if re-created, removed and re-created again; else a plain return.
      expect(step(r.json, 3).changes).toEqual(validAfter ? changes : []);
    },
  );

  it.each<[Variant, readonly unknown[]]>([
    ['series', [removed('emulated', 5), created('emulated', 5)]],
    ['seed', [removed('emulated', 5)]],
  ])('%s: the context-cache device-selective path falls through too', (variant, changes) => {
    const { g, d } = base();
    d.entry(5);
    const r = run({
      variant,
      devices: [emulated([5])],
      guest: g,
      steps: [gsi(), write(d.leafAddr(5), notPresent5), cc(3, { sid: DEVFN })],
    });
    expect(step(r.json, 2)).toEqual({
      index: 2,
      op: 'invalidate',
      status: 'processed',
      accelWalk: ZERO_WALK,
      changes,
      hostOps: NO_HOST_OPS,
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('accel walk (vtd_accel_pasid_cache_sync, _replay_pasid_bind_for_dev, _table_walk(_one), _fill_pc)', () => {
  const fst5 = pasidEntry({ pgtt: 1, did: 5 });

  it('global: counters, changes (emulated first) and list order (insert at head)', () => {
    const { g, d } = base();
    d.entry(3, { pgtt: 1, did: 5 });
    const r = run({ devices: [iommufd(8)], guest: g, steps: [gsi(), gsi()] });
    // end = MIN(1 << 20, MIN(1 << 8, 2^14 * 64)) = 256: 4 chunks, chunk 0 present (64 leaves).
    // fill 0: empty list (0), fill 3: no match in [0] (1).
    expect(step(r.json, 0)).toEqual({
      index: 0,
      op: 'invalidate',
      status: 'processed',
      pcInfo: { type: 3, did: 0, pasid: 0 },
      accelWalk: { dirReads: 4, entryReads: 64, listCompares: 1 },
      changes: [created('emulated', 0), created('accel', 0), created('accel', 3)],
      hostOps: SEED_BINDS_PT0,
    });
    // Again: list [3, 0]: PASID 0 at position 2, PASID 3 at position 1.
    expect(step(r.json, 1)).toMatchObject({
      accelWalk: { dirReads: 4, entryReads: 64, listCompares: 3 },
      changes: [],
    });
    expect(r.json.final.accel[BDF]).toEqual([
      { pasid: 3, entry: words8(fst5) },
      { pasid: 0, entry: PT0 },
    ]);
  });

  it.each(VARIANTS)(
    '%s: PASID-selective on an absent directory entry reads one directory entry',
    (variant) => {
      const { g, d } = base();
      d.entry(3, { did: 1 });
      const r = run({
        variant,
        devices: [iommufd(8)],
        guest: g,
        steps: [psi(1, 200), psi(1, 7), psi(1, 300)],
      });
      expect(step(r.json, 0)).toMatchObject({
        pcInfo: { type: 1, did: 1, pasid: 200 },
        accelWalk: { dirReads: 1, entryReads: 0, listCompares: 0 },
        changes: [],
      });
      // Present directory entry, absent leaf: one directory read, one leaf read.
      expect(step(r.json, 1).accelWalk).toEqual({ dirReads: 1, entryReads: 1, listCompares: 0 });
      // 300 >= 1 << 8: end is clamped below start, nothing is read.
      expect(step(r.json, 2).accelWalk).toEqual(ZERO_WALK);
    },
  );

  it.each<[number, number]>([
    [0, 128],
    [2, 512],
    [7, 16384],
  ])('PDTS %i clamps a global walk to %i directory reads', (pdts, dirReads) => {
    const { g } = base(pdts);
    const r = run({ devices: [iommufd(20)], guest: g, steps: [gsi()] });
    expect(step(r.json, 0).accelWalk).toEqual({ dirReads, entryReads: 64, listCompares: 0 });
  });

  it('pasid-bits clamps global walks but not PASID-selective ones', () => {
    const { g, d } = base();
    d.entry(3).entry(40);
    const r = run({
      iommu: { pasidBits: 5 },
      devices: [iommufd(8)],
      guest: g,
      steps: [gsi(), psi(1, 40)],
    });
    // end = 1 << 5 = 32: one chunk of 32 leaves; PASID 40 is not walked.
    expect(step(r.json, 0)).toMatchObject({
      accelWalk: { dirReads: 1, entryReads: 32, listCompares: 1 },
      changes: [created('emulated', 0), created('accel', 0), created('accel', 3)],
    });
    // PASID-SI: [40, 41), list [3, 0] has no 40 -> 2 compares.
    expect(step(r.json, 1)).toMatchObject({
      accelWalk: { dirReads: 1, entryReads: 1, listCompares: 2 },
      changes: [created('accel', 40)],
    });
    expect(accelPasids(r.json)).toEqual([40, 3, 0]);
  });

  it.each<[string, Record<string, unknown>, number]>([
    ['pasid-bits 0', { pasidBits: 0 }, 8],
    ['max_pasid_log2 0', {}, 0],
  ])('%s: only PASID 0 is walked', (_n, iommu, maxPasidLog2) => {
    const { g, d } = base();
    d.entry(3);
    const r = run({ iommu, devices: [iommufd(maxPasidLog2)], guest: g, steps: [gsi()] });
    expect(step(r.json, 0).accelWalk).toEqual({ dirReads: 1, entryReads: 1, listCompares: 0 });
    expect(accelPasids(r.json)).toEqual([0]);
  });

  it("the end clamp is per device: a small first device does not shrink the next one's range", () => {
    const g = new Guest();
    new DeviceTables(g, DEVFN, DIR).entry(0);
    new DeviceTables(g, 0x18, 0x30000n).entry(0).entry(200);
    const r = run({
      devices: [iommufd(6), iommufd(8, '00:03.0')],
      guest: g,
      steps: [gsi()],
    });
    // 00:02.0: [0, 64): 1 dir, 64 leaves. 00:03.0: [0, 256): 4 dirs, chunks 0 and 3 present.
    expect(step(r.json, 0)).toMatchObject({
      accelWalk: { dirReads: 5, entryReads: 192, listCompares: 1 },
      changes: [
        created('emulated', 0),
        created('emulated', 0, '00:03.0'),
        created('accel', 0),
        created('accel', 0, '00:03.0'),
        created('accel', 200, '00:03.0'),
      ],
    });
  });

  it('domain-selective fills only entries whose DID in memory matches', () => {
    const { g, d } = base();
    d.entry(1, { did: 5 }).entry(2, { did: 6 });
    const r = run({ devices: [iommufd(8)], guest: g, steps: [dsi(5)] });
    expect(step(r.json, 0)).toMatchObject({
      pcInfo: { type: 0, did: 5, pasid: 0 },
      accelWalk: { dirReads: 4, entryReads: 64, listCompares: 0 },
      changes: [created('accel', 1)],
    });
  });

  it('failed directory reads count (a PDTS-7 directory running past the end of RAM)', () => {
    const g = new Guest();
    g.context(DEVFN, 0xff000n, 7);
    g.dirEntry(0xff000n, 0, 0x5000n | 1n).leaf(0x5000n, 0, pasidEntry());
    const r = run({
      iommu: { guestRamBytes: '0x100000' },
      devices: [iommufd(20)],
      guest: g,
      steps: [gsi()],
    });
    // 2^20 / 64 = 16384 chunks; entries 512.. lie beyond RAM and fail, still counted.
    expect(step(r.json, 0)).toMatchObject({
      accelWalk: { dirReads: 16384, entryReads: 64, listCompares: 0 },
      changes: [created('emulated', 0), created('accel', 0)],
    });
  });

  it('failed leaf reads count (a leaf table beyond RAM)', () => {
    const { g } = base();
    g.dirEntry(DIR, 64, 0x7000_0000n | 1n);
    g.leaf(0x7000_0000n, 64, pasidEntry());
    const r = run({ devices: [iommufd(7)], guest: g, steps: [gsi()] });
    expect(step(r.json, 0).accelWalk).toEqual({ dirReads: 2, entryReads: 128, listCompares: 0 });
    expect(accelPasids(r.json)).toEqual([0]);
  });

  it.each<[Variant, number[], number[]]>([
    // seed: list [3,2,1,0] stays; series: 2 is removed ([3,1,0]) then re-inserted at the head.
    ['seed', [6, 8, 10], [3, 2, 1, 0]],
    ['series', [6, 6, 10], [2, 3, 1, 0]],
    ['series-fixed', [6, 6, 10], [2, 3, 1, 0]],
  ])('%s: listCompares are list positions, after removals too', (variant, compares, finalList) => {
    const { g, d } = base();
    d.entry(1).entry(2).entry(3);
    const r = run({
      variant,
      devices: [iommufd(2)],
      guest: g,
      steps: [gsi(), d.entryWrite(2, { present: false }), gsi(), d.entryWrite(2, {}), gsi()],
    });
    // step 0: fills 0,1,2,3 into lists of length 0,1,2,3 -> 6.
    // step 2 seed: 0@4 + 1@3 + 3@1 = 8; series: [3,1,0]: 0@3 + 1@2 + 3@1 = 6.
    // step 4 seed: 4+3+2+1 = 10; series: 0@3 + 1@2 + 2 missing (3) + 3@2 after the insert = 10.
    const walks = [0, 2, 4].map((i) => step(r.json, i).accelWalk?.listCompares);
    expect(walks).toEqual(compares);
    expect(accelPasids(r.json)).toEqual(finalList);
    const removals = variant === 'seed' ? [] : [removed('accel', 2)];
    expect(step(r.json, 2).changes).toEqual(removals);
    expect(step(r.json, 4).changes).toEqual(variant === 'seed' ? [] : [created('accel', 2)]);
  });

  it.each<[Variant, readonly unknown[], typeof ZERO_WALK]>([
    ['series', [removed('accel', 3)], ZERO_WALK],
    ['series-fixed', [removed('accel', 3)], ZERO_WALK],
    ['seed', [], { dirReads: 1, entryReads: 1, listCompares: 0 }],
  ])(
    '%s: removal filters on the cached DID; a PASID-selective removal bypasses the replay',
    (variant, changesLast, walkLast) => {
      const { g, d } = base();
      d.entry(3, { did: 5 });
      const r = run({
        variant,
        devices: [iommufd(8)],
        guest: g,
        steps: [gsi(), d.entryWrite(3, { present: false, did: 6 }), psi(6, 3), psi(5, 3)],
      });
      // psi(6): cached DID 5 != 6 -> kept; the walk finds PASID 3 not present.
      expect(step(r.json, 2)).toMatchObject({
        accelWalk: { dirReads: 1, entryReads: 1, listCompares: 0 },
        changes: [],
      });
      expect(step(r.json, 3)).toMatchObject({ accelWalk: walkLast, changes: changesLast });
      expect(accelPasids(r.json)).toEqual(variant === 'seed' ? [3, 0] : [0]);
    },
  );

  function twoDevices(steps: (a: DeviceTables) => Step[]): ContractJson {
    const g = new Guest();
    const a = new DeviceTables(g, DEVFN, DIR).entry(0).entry(3, { did: 5 });
    new DeviceTables(g, 0x18, 0x30000n).entry(0).entry(3, { did: 5 });
    return run({
      variant: 'series',
      devices: [iommufd(8), iommufd(8, '00:03.0')],
      guest: g,
      steps: [gsi(), ...steps(a)],
    }).json;
  }

  it('series: accel_pce_deleted is cleared after the device that set it', () => {
    const json = twoDevices((a) => [a.entryWrite(3, { present: false, did: 5 }), psi(5, 3)]);
    // 00:02.0 removes 3 and skips its replay; 00:03.0 keeps 3 and replays [3, 4): 3 @ 1.
    expect(step(json, 2)).toMatchObject({
      accelWalk: { dirReads: 1, entryReads: 1, listCompares: 1 },
      changes: [removed('accel', 3)],
    });
  });

  it('series: a domain-selective removal does not bypass the replay', () => {
    const json = twoDevices((a) => [a.entryWrite(3, { present: false, did: 5 }), dsi(5)]);
    // 00:02.0: removes 3, walks 4 chunks, nothing with DID 5; 00:03.0: fills 3 @ 1.
    expect(step(json, 2)).toMatchObject({
      accelWalk: { dirReads: 8, entryReads: 128, listCompares: 1 },
      changes: [removed('accel', 3)],
    });
  });

  it('series: an entry is removed only when its fresh lookup fails (a present change updates)', () => {
    const { g, d } = base();
    d.entry(3, { did: 5 });
    const changed = pasidEntry({ did: 5, extra: { 3: 0x1n } });
    const r = run({
      variant: 'series',
      devices: [iommufd(8)],
      guest: g,
      steps: [gsi(), write(d.leafAddr(3), changed), gsi()],
    });
    expect(step(r.json, 2)).toMatchObject({
      accelWalk: { dirReads: 4, entryReads: 64, listCompares: 3 },
      changes: [updated('accel', 3)],
    });
    expect(r.json.final.accel[BDF]?.[0]).toEqual({ pasid: 3, entry: words8(changed) });
  });

  it('series: a DID changed in place goes stale under the old DID, updates under the new one', () => {
    const { g, d } = base();
    d.entry(3, { did: 5 });
    const r = run({
      variant: 'series',
      devices: [iommufd(8)],
      guest: g,
      steps: [gsi(), d.entryWrite(3, { did: 6 }), psi(5, 3), psi(6, 3)],
    });
    // psi(5): removal lookup succeeds (kept), walk: memory DID 6 != 5 (skipped).
    expect(step(r.json, 2)).toMatchObject({
      accelWalk: { dirReads: 1, entryReads: 1, listCompares: 0 },
      changes: [],
    });
    // psi(6): removal filter skips (cached 5), walk: DID 6 matches, 3 @ 1 differs -> updated.
    expect(step(r.json, 3)).toMatchObject({
      accelWalk: { dirReads: 1, entryReads: 1, listCompares: 1 },
      changes: [updated('accel', 3)],
    });
  });

  it('with fsts only PGTT 1 (FSPM 0) and 4 are cached', () => {
    const { g, d } = base();
    d.entry(1, { pgtt: 2, aw: 2 }).entry(2, { pgtt: 3 }).entry(3, { pgtt: 1, fspm: 1 });
    d.entry(4, { pgtt: 1 });
    const r = run({ devices: [iommufd(8)], guest: g, steps: [gsi()] });
    expect(accelPasids(r.json)).toEqual([4, 0]);
    expect(step(r.json, 0).accelWalk).toEqual({ dirReads: 4, entryReads: 64, listCompares: 1 });
  });

  it.each<[Variant, readonly unknown[]]>([
    ['seed', []],
    ['series', []],
  ])(
    '%s: after PDTS shrinks, a cached PASID beyond the new range stays (lookups ignore PDTS)',
    (variant, changes) => {
      const { g, d } = base();
      d.entry(10000);
      const r = run({
        variant,
        devices: [iommufd(20)],
        guest: g,
        steps: [gsi(), write(Guest.contextAddr(DEVFN), [DIR | 1n]), gsi()],
      });
      expect(step(r.json, 0).changes).toEqual([
        created('emulated', 0),
        created('accel', 0),
        created('accel', 10000),
      ]);
      // PDTS 0: end = 8192, PASID 10000 is no longer walked, and the removal pass (series) finds
      // it still valid through a lookup that does not look at PDTS.
      expect(step(r.json, 2)).toMatchObject({
        accelWalk: { dirReads: 128, entryReads: 64, listCompares: 2 },
        changes,
      });
      expect(accelPasids(r.json)).toEqual([10000, 0]);
    },
  );

  it('series: after PDTS shrinks, a cached PASID beyond the range is still removed when torn down', () => {
    const { g, d } = base();
    d.entry(10000);
    const r = run({
      variant: 'series',
      devices: [iommufd(20)],
      guest: g,
      steps: [
        gsi(),
        write(Guest.contextAddr(DEVFN), [DIR | 1n]),
        d.entryWrite(10000, { present: false }),
        gsi(),
      ],
    });
    expect(step(r.json, 3)).toMatchObject({
      accelWalk: { dirReads: 128, entryReads: 64, listCompares: 1 },
      changes: [removed('accel', 10000)],
    });
  });

  it('cached copies do not follow guest writes made without an invalidation', () => {
    const { g, d } = base();
    d.entry(3, { did: 5 });
    const later = pasidEntry({ did: 9, extra: { 4: 0x44n } });
    const r = run({
      devices: [iommufd(8, BDF)],
      guest: g,
      steps: [gsi(), write(d.leafAddr(3), later), write(d.leafAddr(0), pasidEntry({ did: 2 }))],
    });
    expect(r.json.final.accel[BDF]).toEqual([
      { pasid: 3, entry: words8(pasidEntry({ did: 5 })) },
      { pasid: 0, entry: PT0 },
    ]);
    expect(emu(r.json, 0)).toEqual({ valid: true, entry: PT0 });
  });

  it('a device whose context lookup fails (PASID-0 check) is skipped silently', () => {
    const { g, d } = base();
    d.entry(0, { present: false }).entry(3);
    const r = run({ devices: [iommufd(8)], guest: g, steps: [gsi()] });
    expect(step(r.json, 0)).toMatchObject({ accelWalk: ZERO_WALK, changes: [] });
    expect(accelSkipFault(r.result, 0)).toBe(0x59);
    expect(r.json.final.accel).toEqual({ [BDF]: [] });
  });
});

// ---------------------------------------------------------------------------------------------
describe('context-cache invalidation (vtd_process_context_cache_desc)', () => {
  function withFst3(): { g: Guest; d: DeviceTables } {
    const b = base();
    b.d.entry(3, { pgtt: 1, did: 5 });
    return b;
  }

  it.each<[string, Step]>([
    ['global', cc(1)],
    ['domain-selective (handled as global)', cc(2, { did: 77 })],
  ])('%s runs the global replay, emulated and accel, without pcInfo', (_n, desc) => {
    const { g } = withFst3();
    const r = run({ devices: [iommufd(8)], guest: g, steps: [desc] });
    expect(step(r.json, 0)).toEqual({
      index: 0,
      op: 'invalidate',
      status: 'processed',
      accelWalk: { dirReads: 4, entryReads: 64, listCompares: 1 },
      changes: [created('emulated', 0), created('accel', 0), created('accel', 3)],
      hostOps: SEED_BINDS_PT0,
    });
  });

  it('device-selective syncs only the emulated address spaces; the accel list is untouched', () => {
    const { g } = withFst3();
    const r = run({ devices: [iommufd(8)], guest: g, steps: [cc(3, { sid: DEVFN })] });
    expect(step(r.json, 0)).toMatchObject({
      accelWalk: ZERO_WALK,
      changes: [created('emulated', 0)],
    });
    expect(r.json.final.accel).toEqual({ [BDF]: [] });
  });

  it('device-selective reaches every address space of the device (PASID 0 and others)', () => {
    const { g, d } = base();
    d.entry(5, { did: 9 });
    const r = run({ devices: [emulated([5])], guest: g, steps: [cc(3, { sid: DEVFN })] });
    // vtd_pasid_cache_devsi fakes a global type: no DID filter.
    expect(step(r.json, 0).changes).toEqual([created('emulated', 0), created('emulated', 5)]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['DMAR off', { dmarEnabled: false }],
    ['rootScalable off', { rootScalable: false }],
  ])('device-selective does nothing with %s (vtd_pasid_cache_devsi gate)', (_n, iommu) => {
    const { g } = base();
    const r = run({ iommu, devices: [emulated()], guest: g, steps: [cc(3, { sid: DEVFN })] });
    expect(step(r.json, 0)).toMatchObject({ status: 'processed', changes: [] });
  });

  it('device-selective does nothing without fsts (vtd_pasid_cache_devsi gate)', () => {
    const g = new Guest();
    new DeviceTables(g, DEVFN, DIR).entry(0, { pgtt: 2, aw: 2 });
    const r = run({
      iommu: { fsts: false },
      devices: [emulated()],
      guest: g,
      steps: [cc(3, { sid: DEVFN }), cc(1)],
    });
    expect(step(r.json, 0).changes).toEqual([]);
    expect(step(r.json, 1).changes).toEqual([created('emulated', 0)]);
  });

  const quad = ['00:02.0', '00:02.2', '00:02.4', '00:02.7'];
  it.each<[number, number, string[]]>([
    [0x10, 0, ['00:02.0']],
    [0x10, 1, ['00:02.0', '00:02.4']],
    [0x14, 1, ['00:02.0', '00:02.4']],
    [0x10, 2, ['00:02.0', '00:02.2', '00:02.4']],
    [0x10, 3, quad],
    [0x110, 3, []], // bus 1
  ])('device-selective SID %i, FM %i matches %j', (sid, fm, bdfs) => {
    // vtd_context_device_invalidate: FM 1 masks SID bit 2, 2 bits 2:1, 3 bits 2:0.
    const g = new Guest();
    [0x10, 0x12, 0x14, 0x17].forEach((devfn, i) => {
      new DeviceTables(g, devfn, 0x10000n + BigInt(i) * 0x20000n).entry(0);
    });
    const r = run({
      devices: quad.map((bdf) => emulated([], bdf)),
      guest: g,
      steps: [cc(3, { sid, fm })],
    });
    expect(step(r.json, 0).changes).toEqual(bdfs.map((bdf) => created('emulated', 0, bdf)));
  });
});

// ---------------------------------------------------------------------------------------------
describe('invalidation queue: widths, reserved bits, wait descriptors, IQE', () => {
  const oneStep = (desc: Step, iommu: Record<string, unknown> = {}): ContractJson => {
    const { g } = base();
    return run({ iommu, devices: [iommufd(0)], guest: g, steps: [desc] }).json;
  };
  const status = (desc: Step, iommu: Record<string, unknown> = {}): string =>
    step(oneStep(desc, iommu), 0).status;
  const q128 = { queueWidth: 128 };

  it('a 128-bit queue reads only val[0..1]: val[2..3] of a wait or context descriptor are ignored', () => {
    const fnWait = raw(5n | (1n << 6n), 0n, 0xdeadn, 1n);
    expect(status(fnWait, q128)).toBe('processed');
    expect(status(fnWait)).toBe('rejected');
    const ccGlobal = raw(1n | (1n << 4n), 0n, 1n, 0n);
    const r128 = oneStep(ccGlobal, q128);
    expect(step(r128, 0)).toMatchObject({
      status: 'processed',
      changes: [created('emulated', 0), created('accel', 0)],
    });
    expect(status(ccGlobal)).toBe('rejected');
  });

  it('a PASID-cache descriptor in a 128-bit queue is rejected before its reserved bits', () => {
    const json = oneStep(raw(7n | (3n << 4n) | (1n << 6n), 0n, 5n, 0n), q128);
    expect(step(json, 0).status).toBe('rejected');
    expect(step(json, 0).error).toMatch(/128-bit/);
  });

  it.each<[string, bigint, bigint, string]>([
    ['FN only', 1n << 6n, 0n, 'processed'],
    ['IF only', 1n << 4n, 0n, 'processed'],
    ['none of IF/SW/FN', 0n, 0n, 'rejected'],
    ['FN + status data bits 63:32', (1n << 6n) | (0xffff_ffffn << 32n), 0n, 'processed'],
    ['FN + PD (bit 7, no ECAP.PDS)', (1n << 6n) | (1n << 7n), 0n, 'rejected'],
    ['FN + bit 8', (1n << 6n) | (1n << 8n), 0n, 'rejected'],
    ['FN + bit 12', (1n << 6n) | (1n << 12n), 0n, 'rejected'],
    ['FN + bit 31', (1n << 6n) | (1n << 31n), 0n, 'rejected'],
    ['FN + bit 9 (type becomes 0x15)', (1n << 6n) | (1n << 9n), 0n, 'rejected'],
    ['FN + hi bit 0', 1n << 6n, 1n, 'rejected'],
    ['FN + hi bit 1', 1n << 6n, 2n, 'rejected'],
    ['FN + hi bit 2', 1n << 6n, 4n, 'processed'],
  ])('wait descriptor %s', (_n, lo, hi, expected) => {
    expect(status(raw(5n | lo, hi, 0n, 0n))).toBe(expected);
    expect(status(raw(5n | lo, hi), q128)).toBe(expected);
  });

  it('a status write lands in guest memory and later syncs read it', () => {
    const { g, d } = base();
    d.entry(5, { present: false, pgtt: 0, did: 7 }); // val[0] = 0
    const at = d.leafAddr(5);
    const r = run({
      devices: [emulated([5])],
      guest: g,
      steps: [
        wait({ sw: true, data: 0x101, addr: at }),
        wait({ sw: true, data: 0xdead, addr: at + 4n }),
        gsi(),
      ],
    });
    expect(step(r.json, 0)).toEqual({
      index: 0,
      op: 'invalidate',
      status: 'processed',
      accelWalk: ZERO_WALK,
      changes: [],
      hostOps: NO_HOST_OPS,
    });
    expect(step(r.json, 2).changes).toEqual([created('emulated', 0), created('emulated', 5)]);
    expect(emu(r.json, 5)).toEqual({ valid: true, entry: words8([0xdead_0000_0101n, 7n]) });
  });

  it('a status write outside RAM rejects the descriptor; the last 4 bytes of RAM are fine', () => {
    expect(status(wait({ sw: true, data: 1, addr: 0x4000_0000n }))).toBe('rejected');
    expect(status(wait({ sw: true, data: 1, addr: 0x3fff_fffcn }))).toBe('processed');
  });

  it('a status write straddling the end of RAM stores its in-RAM bytes before failing', () => {
    // dma_memory_write -> flatview_write_continue copies the RAM part, then the unassigned part
    // fails (MEMTX_DECODE_ERROR): the descriptor is rejected but 2 bytes were written.
    // Seen through the series fall-through of a leaf read partly beyond RAM.
    const tableA = 0x5000n;
    const tableB = 0x40000n;
    const g = new Guest();
    g.context(DEVFN, DIR, 7);
    g.dirEntry(DIR, 0, tableA | 1n);
    g.leaf(tableA, 0, pasidEntry()).leaf(tableA, 5, pasidEntry());
    g.leaf(tableB, 0, pasidEntry());
    const r = run({
      variant: 'series',
      iommu: { guestRamBytes: '0x40142' },
      devices: [emulated([5])],
      guest: g,
      steps: [
        gsi(),
        write(dirEntryAddr(DIR, 0), [tableB | 1n]),
        wait({ sw: true, data: 0xbeef_0101, addr: leafAddr(tableB, 5) }),
        clearIqe(),
        gsi(),
      ],
    });
    expect(step(r.json, 2).status).toBe('rejected');
    expect(step(r.json, 4).changes).toEqual([removed('emulated', 5), created('emulated', 5)]);
    expect(emu(r.json, 5)).toEqual({ valid: true, entry: words8([0x0101n]) });
  });

  it.each<[string, Step, string, string]>([
    ['granularity 0', cc(0), 'rejected', 'rejected'],
    ['bit 6', raw(1n | (1n << 4n) | (1n << 6n), 0n, 0n, 0n), 'rejected', 'rejected'],
    ['bit 12', raw(1n | (1n << 4n) | (1n << 12n), 0n, 0n, 0n), 'rejected', 'rejected'],
    ['bit 50', raw(1n | (1n << 4n) | (1n << 50n), 0n, 0n, 0n), 'rejected', 'rejected'],
    ['FM bits 49:48', raw(1n | (3n << 4n) | (3n << 48n), 0n, 0n, 0n), 'processed', 'processed'],
    ['val[1] non-zero', raw(1n | (1n << 4n), 1n, 0n, 0n), 'rejected', 'rejected'],
    ['val[3] non-zero', raw(1n | (1n << 4n), 0n, 0n, 1n), 'rejected', 'processed'],
  ])('context-cache descriptor %s', (_n, desc, in256, in128) => {
    expect(status(desc)).toBe(in256);
    expect(status(desc, q128)).toBe(in128);
  });

  it.each<[string, bigint, bigint]>([
    ['val[0] bit 6', 1n << 6n, 0n],
    ['val[0] bit 8', 1n << 8n, 0n],
    ['val[0] bit 12', 1n << 12n, 0n],
    ['val[0] bit 15', 1n << 15n, 0n],
    ['val[0] bit 52', 1n << 52n, 0n],
    ['val[0] bit 63', 1n << 63n, 0n],
    ['val[0] bit 9 (type 0x17)', 1n << 9n, 0n],
    ['val[1] bit 0', 0n, 1n],
  ])('PASID-cache descriptor with %s is rejected', (_n, lo, hi) => {
    expect(status(raw(7n | (3n << 4n) | lo, hi, 0n, 0n))).toBe('rejected');
  });

  it.each<[string, bigint[]]>([
    ['val[2]', [7n | (3n << 4n), 0n, 1n, 0n]],
    ['val[3]', [7n | (3n << 4n), 0n, 0n, 1n << 63n]],
  ])('PASID-cache descriptor with %s non-zero is rejected', (_n, ws) => {
    expect(status(raw(...ws))).toBe('rejected');
  });

  it.each<[string, bigint[], string, string]>([
    ['IOTLB global', [2n | (1n << 4n), 0n], 'processed', 'processed'],
    ['IOTLB granularity 0', [2n, 0n], 'rejected', 'rejected'],
    ['IOTLB page, AM 18', [2n | (3n << 4n), 18n], 'processed', 'processed'],
    ['IOTLB page, AM 19', [2n | (3n << 4n), 19n], 'rejected', 'rejected'],
    ['device-TLB', [3n | (0x10n << 32n), 0n], 'processed', 'processed'],
    ['device-TLB reserved bit 4', [3n | (1n << 4n), 0n], 'rejected', 'rejected'],
    ['IEC', [4n, 0n], 'processed', 'processed'],
    ['IEC reserved bit 5', [4n | (1n << 5n), 0n], 'rejected', 'rejected'],
    ['IEC val[2] non-zero', [4n, 0n, 1n, 0n], 'rejected', 'processed'],
    ['PASID-IOTLB all-in-PASID', [6n | (2n << 4n), 0n], 'processed', 'rejected'],
    ['PASID-IOTLB granularity 1', [6n | (1n << 4n), 0n], 'rejected', 'rejected'],
    ['PASID-IOTLB page, AM 19', [6n | (3n << 4n), 19n], 'rejected', 'rejected'],
    ['PASID device-TLB', [8n, 0n], 'processed', 'rejected'],
    ['page group response with PASID', [9n | (1n << 4n), 0n], 'processed', 'processed'],
    [
      'page group response, val[2] non-zero',
      [9n | (1n << 4n), 0n, 1n, 0n],
      'processed',
      'processed',
    ],
    ['page group response without PASID', [9n, 0n], 'rejected', 'rejected'],
    ['page group response reserved hi bit 0', [9n | (1n << 4n), 1n], 'rejected', 'rejected'],
    ['type 0', [0n, 0n], 'rejected', 'rejected'],
    ['type 10', [10n, 0n], 'rejected', 'rejected'],
    ['type 15', [15n, 0n], 'rejected', 'rejected'],
  ])('other descriptor types: %s', (_n, ws, in256, in128) => {
    const json = oneStep(raw(...ws));
    expect(step(json, 0).status).toBe(in256);
    if (in256 === 'processed') {
      expect(step(json, 0)).toEqual({
        index: 0,
        op: 'invalidate',
        status: 'processed',
        accelWalk: ZERO_WALK,
        changes: [],
        hostOps: NO_HOST_OPS,
      });
    }
    expect(status(raw(...ws.slice(0, 2)), q128)).toBe(in128);
  });

  it('after a rejection: blocked steps are dropped, writes apply, clearIqe replays nothing', () => {
    const { g, d } = base();
    d.entry(3, { present: false });
    const r = run({
      devices: [iommufd(8)],
      guest: g,
      steps: [pc(2), gsi(), d.entryWrite(3, {}), clearIqe(), gsi()],
    });
    expect(r.json.steps.map((s) => s.status)).toEqual([
      'rejected',
      'blocked',
      'applied',
      'applied',
      'processed',
    ]);
    expect(step(r.json, 1)).toEqual({
      index: 1,
      op: 'invalidate',
      status: 'blocked',
      changes: [],
      hostOps: NO_HOST_OPS,
    });
    expect(step(r.json, 3)).toEqual({
      index: 3,
      op: 'clearIqe',
      status: 'applied',
      changes: [],
      hostOps: NO_HOST_OPS,
    });
    // The blocked global never ran: everything is created by the last step.
    expect(step(r.json, 4).changes).toEqual([
      created('emulated', 0),
      created('accel', 0),
      created('accel', 3),
    ]);
    expect(r.json.final.iqe).toBe(false);
  });

  it('a rejected wait status write blocks what follows until clearIqe', () => {
    const { g } = base();
    const r = run({
      devices: [iommufd(0)],
      guest: g,
      steps: [wait({ sw: true, addr: 0x8000_0000n }), gsi()],
    });
    expect(r.json.steps.map((s) => s.status)).toEqual(['rejected', 'blocked']);
    expect(r.json.final.iqe).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('guest memory', () => {
  it('a 4-byte DMA write straddling the end of RAM stores the in-RAM bytes and fails', () => {
    const m = new GuestMemory(0x1002n);
    m.writeQwords(0x1000n, [0xffff_ffff_ffff_ffffn]);
    expect(m.dmaWrite32(0x1000n, 0x4433_2211)).toBe(false);
    // Bytes 0x1000, 0x1001 are RAM; 0x1002.. lie beyond it and keep what was stored there.
    expect(m.readQword(0x1000n)).toBe(0xffff_ffff_ffff_2211n);
    expect(m.dmaWrite32(0x1004n, 0)).toBe(false);
    expect(m.readQword(0x1000n)).toBe(0xffff_ffff_ffff_2211n);
  });

  it('initial memory and write steps beyond RAM are stored but DMA never sees them', () => {
    const { g } = base();
    // A directory entry for chunk 1 pointing at a table beyond RAM, with a valid entry there.
    g.dirEntry(DIR, 64, 0x4000_1000n | 1n).leaf(0x4000_1000n, 64, pasidEntry());
    const r = run({
      devices: [emulated([64, 65])],
      guest: g,
      steps: [write(leafAddr(0x4000_1000n, 65), pasidEntry()), gsi()],
    });
    expect(emulatedLookupFaults(r.result, 1)).toEqual({ 0: 0, 64: 0x58, 65: 0x58 });
    expect(step(r.json, 1).changes).toEqual([created('emulated', 0)]);
  });
});

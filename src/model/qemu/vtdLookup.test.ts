// vtd_dev_to_context_entry and the PASID directory / leaf fetches: every check, in QEMU's order,
// with its fault code.

import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../memory/guestMemory.ts';
import { ScenarioBuilder, pasidEntryWords } from '../testSupport/scenarioBuilder.ts';
import type { EntryFields } from '../testSupport/scenarioBuilder.ts';
import type { IommuConfig } from '../scenario/scenarioTypes.ts';
import { vtdCapInit } from './vtdCapInit.ts';
import { VtdFault } from './vtdFaults.ts';
import { createLookupScratch, vtdDevGetPeFromPasid } from './vtdPasidEntry.ts';

function lookup(
  b: ScenarioBuilder,
  bdf: string,
  pasid: number,
): { fault: number; pe: Uint32Array } {
  const s = b.build();
  const v = {
    memory: GuestMemory.fromBlocks(s.iommu.guestRamBytes, s.memory),
    caps: vtdCapInit(s.iommu),
  };
  const dev = s.devices.find((d) => d.bdf === bdf);
  if (!dev) throw new Error('no device');
  const pe = new Uint32Array(16);
  const fault = vtdDevGetPeFromPasid(v, dev.bus, dev.devfn, pasid, pe, createLookupScratch(), null);
  return { fault, pe };
}

function withEntry(fields: EntryFields, iommu: Partial<IommuConfig> = {}, pasid = 5): number {
  const b = new ScenarioBuilder(iommu).device('00:01.0');
  b.setPasidEntry('00:01.0', pasid, fields);
  return lookup(b, '00:01.0', pasid).fault;
}

describe('vtd_dev_to_context_entry', () => {
  it('finds a valid entry through root, context, directory and table', () => {
    const b = new ScenarioBuilder()
      .device('00:01.0')
      .setPasidEntry('00:01.0', 5, { pgtt: 1, did: 9 });
    const r = lookup(b, '00:01.0', 5);
    expect(r.fault).toBe(0);
    expect(r.pe[2]).toBe(9);
  });

  it('fails with 0x8 when the root entry lies beyond guest RAM', () => {
    const b = new ScenarioBuilder({ guestRamBytes: 0x1_0000n }).device('00:01.0');
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.RootTableAccess);
  });

  it('masks the root table address to [12, aw) as QEMU does', () => {
    // SMT (bit 10), low bits and bits above aw are dropped: the table is still found.
    const b = new ScenarioBuilder({ rootTableAddr: 0x1_0000n | 0x400n | 0x7n | (1n << 50n) });
    b.device('00:01.0');
    expect(lookup(b, '00:01.0', 0).fault).toBe(0);
  });

  it('fails with 0x1 when the root half of the devfn is not present', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    b.setMemory(b.rootEntryAddr(0), [0x2_0000n, 0x2_1000n | 1n]);
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.RootEntryNotPresent);
  });

  it('uses the upper root half for devfn 128-255', () => {
    const b = new ScenarioBuilder().device('00:10.0').device('00:11.0');
    // devfn 0x80 and 0x88 are in the upper half: clear UP only.
    b.setMemory(b.rootEntryAddr(0), [0x2_0000n | 1n, 0x2_1000n]);
    expect(lookup(b, '00:10.0', 0).fault).toBe(VtdFault.RootEntryNotPresent);
    b.setMemory(b.rootEntryAddr(0), [0x2_0000n, 0x2_1000n | 1n]);
    expect(lookup(b, '00:10.0', 0).fault).toBe(0);
  });

  it('checks the present bit before the reserved bits', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    b.setMemory(b.rootEntryAddr(0), [0x2_0000n | 0x2n, 0n]);
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.RootEntryNotPresent);
  });

  it('fails with 0xa for reserved bits in either root half', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    b.setMemory(b.rootEntryAddr(0), [0x2_0000n | 1n | 0x800n, 0x2_1000n | 1n]);
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.RootEntryReserved);
    // A reserved bit in the upper half rejects a lower-half device too.
    b.setMemory(b.rootEntryAddr(0), [0x2_0000n | 1n, 0x2_1000n | 1n | 0x2n]);
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.RootEntryReserved);
  });

  it('treats context table bits at or above aw-bits as reserved', () => {
    const b39 = new ScenarioBuilder({ awBits: 39, fsts: false }).device('00:01.0');
    b39.setMemory(b39.rootEntryAddr(0), [0x2_0000n | 1n | (1n << 39n), 0n]);
    expect(lookup(b39, '00:01.0', 0).fault).toBe(VtdFault.RootEntryReserved);
    const b48 = new ScenarioBuilder({ awBits: 48 }).device('00:01.0');
    b48.setMemory(b48.rootEntryAddr(0), [0x2_0000n | 1n | (1n << 47n), 0n]);
    // Bit 47 is inside HAW(48): not reserved, but the context table is now beyond RAM.
    expect(lookup(b48, '00:01.0', 0).fault).toBe(VtdFault.ContextTableAccess);
  });

  it('fails with 0x9 when the context entry lies beyond guest RAM', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    b.setMemory(b.rootEntryAddr(0), [0x8000_0000n | 1n, 0n]);
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.ContextTableAccess);
  });

  it('fails with 0x2 for a non-present context entry, before its reserved bits', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    b.setMemory(b.contextEntryAddr('00:01.0'), [
      b.dirBase('00:01.0') | (7n << 9n) | 0x20n,
      0n,
      5n,
      0n,
    ]);
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.ContextEntryNotPresent);
  });

  it.each([
    ['bits 8:5', [0x20n, 0n, 0n, 0n]],
    ['a directory pointer above aw-bits', [1n << 50n, 0n, 0n, 0n]],
    ['val[1] bit 21', [0n, 1n << 21n, 0n, 0n]],
    ['val[2]', [0n, 0n, 1n, 0n]],
    ['val[3]', [0n, 0n, 0n, 1n << 63n]],
  ])('fails with 0xb for reserved %s in the context entry', (_name, extra) => {
    const b = new ScenarioBuilder().device('00:01.0');
    const base = [b.dirBase('00:01.0') | (7n << 9n) | 1n, 0n, 0n, 0n];
    b.setMemory(
      b.contextEntryAddr('00:01.0'),
      base.map((w, i) => w | (extra[i] ?? 0n)),
    );
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.ContextEntryReserved);
  });

  it('allows RID_PRIV and ignores RID_PASID (always checks PASID 0)', () => {
    const b = new ScenarioBuilder().device('00:01.0', { pasid0: false });
    b.setPasidEntry('00:01.0', 0x45, { pgtt: 1 });
    b.setMemory(b.contextEntryAddr('00:01.0'), [
      b.dirBase('00:01.0') | (7n << 9n) | 1n,
      0x45n | (1n << 20n),
      0n,
      0n,
    ]);
    // RID_PASID = 0x45 has a valid entry, but QEMU checks PASID 0, whose directory entry is
    // not present.
    expect(lookup(b, '00:01.0', 0x45).fault).toBe(VtdFault.PasidDirEntryNotPresent);
  });

  it('makes every PASID invalid when the PASID-0 entry is invalid', () => {
    const b = new ScenarioBuilder().device('00:01.0', { pasid0: { present: false } });
    b.setPasidEntry('00:01.0', 5, { pgtt: 1 });
    b.setPasidEntry('00:01.0', 0x400, { pgtt: 1 });
    expect(lookup(b, '00:01.0', 5).fault).toBe(VtdFault.PasidEntryNotPresent);
    expect(lookup(b, '00:01.0', 0x400).fault).toBe(VtdFault.PasidEntryNotPresent);
    // The PASID-0 check fails with PASID 0's own fault (here its PGTT check).
    const c = new ScenarioBuilder().device('00:01.0', { pasid0: { pgtt: 2, aw: 1 } });
    c.setPasidEntry('00:01.0', 5, { pgtt: 1 });
    expect(lookup(c, '00:01.0', 5).fault).toBe(VtdFault.PasidTableEntryInvalid);
  });

  it('returns 0x31 without a scalable root table (and never reads memory)', () => {
    const b = new ScenarioBuilder({ rootScalable: false }).device('00:01.0');
    expect(lookup(b, '00:01.0', 0).fault).toBe(VtdFault.RtaddrInvalidTtm);
    const c = new ScenarioBuilder({ scalableMode: false, fsts: false }).device('00:01.0');
    expect(lookup(c, '00:01.0', 0).fault).toBe(VtdFault.RtaddrInvalidTtm);
  });
});

describe('PASID directory and leaf fetches', () => {
  it('fails with 0x50 when the directory entry lies beyond guest RAM', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    b.setMemory(b.contextEntryAddr('00:01.0'), [0x7fff_f000n | (7n << 9n) | 1n, 0n, 0n, 0n]);
    const small = new ScenarioBuilder({ guestRamBytes: 0x8000_0000n }).device('00:01.0');
    small.setMemory(small.contextEntryAddr('00:01.0'), [
      0x8000_0000n | (7n << 9n) | 1n,
      0n,
      0n,
      0n,
    ]);
    expect(lookup(small, '00:01.0', 0).fault).toBe(VtdFault.PasidDirAccess);
  });

  it('fails with 0x51 when the directory entry is not present', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    expect(lookup(b, '00:01.0', 64).fault).toBe(VtdFault.PasidDirEntryNotPresent);
  });

  it('does not check reserved bits of the directory entry', () => {
    const b = new ScenarioBuilder().device('00:01.0').setPasidEntry('00:01.0', 5, { pgtt: 1 });
    b.setMemory(b.dirEntryAddr('00:01.0', 5), [b.tableFor('00:01.0', 5) | 1n | 0xffcn]);
    expect(lookup(b, '00:01.0', 5).fault).toBe(0);
  });

  it('does not mask the table pointer to the address width', () => {
    const b = new ScenarioBuilder().device('00:01.0').setPasidEntry('00:01.0', 5, { pgtt: 1 });
    // Bit 48 set: masked to 48 bits it would point at 0 (all zero: 0x5b); unmasked it is
    // beyond RAM (0x58).
    b.setMemory(b.dirEntryAddr('00:01.0', 5), [(1n << 48n) | 1n]);
    expect(lookup(b, '00:01.0', 5).fault).toBe(VtdFault.PasidTableAccess);
  });

  it('fails with 0x58 when the leaf entry lies beyond guest RAM', () => {
    const b = new ScenarioBuilder().device('00:01.0').setPasidEntry('00:01.0', 5, { pgtt: 1 });
    b.setMemory(b.dirEntryAddr('00:01.0', 5), [0x8000_0000n | 1n]);
    expect(lookup(b, '00:01.0', 5).fault).toBe(VtdFault.PasidTableAccess);
  });

  it.each([
    [0, 0x5b],
    [1, 0],
    [2, 0x5b],
    [3, 0x5b],
    [4, 0],
    [5, 0x5b],
    [6, 0x5b],
    [7, 0x5b],
  ])('with fsts on, PGTT %i gives fault %i', (pgtt, fault) => {
    expect(withEntry({ pgtt, aw: 1 })).toBe(fault);
  });

  it.each([
    [0, 0x5b],
    [1, 0x5b],
    [2, 0],
    [3, 0x5b],
    [4, 0],
    [5, 0x5b],
  ])('with fsts off, PGTT %i gives fault %i', (pgtt, fault) => {
    expect(withEntry({ pgtt, aw: 1 }, { fsts: false })).toBe(fault);
  });

  it('accepts second-stage levels in SAGAW only (3-level, 4-level with aw-bits 48)', () => {
    const off48 = { fsts: false, awBits: 48 as const };
    const off39 = { fsts: false, awBits: 39 as const };
    expect(withEntry({ pgtt: 2, aw: 1 }, off48)).toBe(0);
    expect(withEntry({ pgtt: 2, aw: 2 }, off48)).toBe(0);
    expect(withEntry({ pgtt: 2, aw: 2 }, off39)).toBe(VtdFault.PasidTableEntryInvalid);
    expect(withEntry({ pgtt: 2, aw: 1 }, off39)).toBe(0);
    for (const aw of [0, 3, 4, 7]) {
      expect(withEntry({ pgtt: 2, aw }, off48)).toBe(VtdFault.PasidTableEntryInvalid);
    }
  });

  it('accepts first-stage 4-level paging only (FSPM 0)', () => {
    expect(withEntry({ pgtt: 1, fspm: 0 })).toBe(0);
    expect(withEntry({ pgtt: 1, fspm: 1 })).toBe(VtdFault.PasidTableEntryInvalid);
    expect(withEntry({ pgtt: 1, fspm: 3 })).toBe(VtdFault.PasidTableEntryInvalid);
  });

  it('checks PGTT and levels before the present bit', () => {
    expect(withEntry({ present: false, pgtt: 0 })).toBe(VtdFault.PasidTableEntryInvalid);
    expect(withEntry({ present: false, pgtt: 1, fspm: 1 })).toBe(VtdFault.PasidTableEntryInvalid);
    expect(withEntry({ present: false, pgtt: 1 })).toBe(VtdFault.PasidEntryNotPresent);
  });

  it('checks no reserved bits in the PASID entry', () => {
    const words = pasidEntryWords({ pgtt: 1, high: [~0n & 0xffff_ffff_ffff_ffffn, 1n] });
    words[0] = (words[0] ?? 0n) | 0x20n | 0xc00n;
    words[1] = (words[1] ?? 0n) | (0xffffn << 32n);
    expect(withEntry({}, {}, 5)).toBe(0);
    const b = new ScenarioBuilder().device('00:01.0');
    b.setPasidEntry('00:01.0', 5, words);
    expect(lookup(b, '00:01.0', 5).fault).toBe(0);
  });

  it('does not limit a lookup by the context entry PDTS', () => {
    const b = new ScenarioBuilder().device('00:01.0', { pdts: 0 });
    b.setPasidEntry('00:01.0', 0x5000, { pgtt: 1 });
    expect(lookup(b, '00:01.0', 0x5000).fault).toBe(0);
  });

  it('keeps the in-RAM bytes of a leaf read that crosses the end of RAM', () => {
    // The first table lands at 0x1000000; RAM ends 16 bytes into PASID 1's entry, so val[0..1]
    // are read and the rest stays zero.
    const b = new ScenarioBuilder({ guestRamBytes: 0x100_0050n }).device('00:01.0');
    expect(b.pasidEntryAddr('00:01.0', 1)).toBe(0x100_0040n);
    b.setPasidEntry('00:01.0', 1, pasidEntryWords({ pgtt: 1, did: 7, fsptptr: 0x5000n }));
    const r = lookup(b, '00:01.0', 1);
    expect(r.fault).toBe(VtdFault.PasidTableAccess);
    expect([...r.pe.subarray(0, 6)]).toEqual([0x41, 0, 7, 0, 0, 0]);
  });
});

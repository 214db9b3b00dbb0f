import { describe, expect, it } from 'vitest';
import { memoryAtStep } from '../run/memoryAtStep.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import {
  DEBUGFS_COLUMN_HEADER,
  formatDebugfsDump,
  walkDmarTranslation,
} from './dmarTranslationStruct.ts';

function load(raw: Record<string, unknown>): Scenario {
  const r = parseScenario({ format: 'pasidscope-scenario', version: 1, ...raw });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

/** Root table 0x10000; the context table, directories and tables at fixed, readable places. */
const base = {
  iommu: { rootTableAddr: '0x10000' },
  devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20 }],
  tables: {
    devices: [
      {
        bdf: '00:02.0',
        directory: { addr: '0x40000', pdts: 2 },
        pasids: [
          { pasid: 0, present: true, pgtt: 'pass-through', did: 1, aw: 2 },
          {
            pasid: 5,
            present: true,
            pgtt: 'first-stage',
            did: 0x23,
            aw: 2,
            fsptptr: '0x7654000',
            sre: true,
          },
          { pasid: 6, present: false, pgtt: 'first-stage', did: 4 },
        ],
      },
    ],
  },
};

describe('formatDebugfsDump', () => {
  it("prints Linux's lines: the IOMMU line, the tab header, hi:lo pairs, %-6d PASID, val2:val1:val0", () => {
    const s = load(base);
    const lines = formatDebugfsDump(s).split('\n');
    expect(lines[0]).toBe('IOMMU dmar0: Root Table Address: 0x10000');
    expect(lines[1]).toBe('B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry');
    expect(lines[1]).toBe(DEBUGFS_COLUMN_HEADER);
    // The resolver placed the context table; the root entry of bus 0 is the first qword of the table.
    const rootLo = memoryAtStep(s, 0).readQword(0x10000n);
    expect(rootLo & 0xfffn).toBe(1n);
    const root = `0x0000000000000000:0x${rootLo.toString(16).padStart(16, '0')}`;
    // Written out by hand from print_tbl_walk's format, not from the printer.
    // Context lo: dir 0x40000 | PDTS 2 << 9 | P  = 0x40401.
    // PASID 5: val0 = P | AW 2 << 2 | PGTT 1 << 6 = 0x49; val1 = DID 0x23; val2 = FSPTPTR | SRE.
    expect(lines[2]).toBe(
      `00:02.0\t${root}\t0x0000000000000000:0x0000000000040401\t0     \t0x0000000000000000:0x0000000000000001:0x0000000000000109`,
    );
    expect(lines[3]).toBe(
      `00:02.0\t${root}\t0x0000000000000000:0x0000000000040401\t5     \t0x0000000007654001:0x0000000000000023:0x0000000000000049`,
    );
    // PASID 6 is not present: no row. A blank line ends the IOMMU.
    expect(lines.slice(4)).toEqual(['', '']);
  });

  it('prints the not-enabled line, and nothing else, when TE is off', () => {
    const s = load({ ...base, iommu: { rootTableAddr: '0x10000', dmarEnabled: false } });
    expect(formatDebugfsDump(s)).toBe('DMA Remapping is not enabled on dmar0\n');
    expect(formatDebugfsDump(s, { iommuName: 'dmar3' })).toBe(
      'DMA Remapping is not enabled on dmar3\n',
    );
  });

  it('shows the tables as a step sees them (before it runs)', () => {
    const s = load({
      ...base,
      steps: [
        { op: 'invalidate', granularity: 'global' },
        { op: 'writePasidEntry', bdf: '00:02.0', pasid: 5, fields: { present: false } },
        { op: 'invalidate', granularity: 'pasid', did: 0x23, pasid: 5 },
      ],
    });
    const pasids = (step?: number): number[] =>
      walkDmarTranslation(s, step !== undefined ? { step } : {}).rows.map((r) => r.pasid);
    expect(pasids(1)).toEqual([0, 5]);
    expect(pasids(2)).toEqual([0]);
    expect(pasids()).toEqual([0]);
  });
});

describe("walkDmarTranslation: Linux's walk, quirks included", () => {
  it('walks only 2^(PDTS+7) directory entries: a present entry beyond them is not shown', () => {
    // PDTS 0: 128 directory entries, PASIDs 0..8191. Entry 130 is written by hand, present.
    const s = load({
      ...base,
      tables: {
        devices: [
          {
            bdf: '00:02.0',
            directory: { addr: '0x40000', pdts: 0 },
            pasids: [{ pasid: 0, present: true, pgtt: 'pass-through', did: 1 }],
          },
        ],
      },
      memory: [
        { addr: `0x${(0x40000 + 130 * 8).toString(16)}`, qwords: ['0x80001'] },
        { addr: '0x80000', qwords: ['0x49', '0x3'] },
      ],
    });
    expect(walkDmarTranslation(s).rows.map((r) => r.pasid)).toEqual([0]);
  });

  it('stops a bus at a non-present lower root half, even when the upper half is present', () => {
    const s = load({
      iommu: { rootTableAddr: '0x10000' },
      devices: [
        { bdf: '00:02.0', backend: 'emulated' },
        { bdf: '00:1f.0', backend: 'emulated' },
        { bdf: '01:00.0', backend: 'emulated' },
      ],
      tables: {
        devices: ['00:02.0', '00:1f.0', '01:00.0'].map((bdf) => ({
          bdf,
          pasids: [{ pasid: 0, present: true, pgtt: 'pass-through', did: 1 }],
        })),
      },
    });
    expect(walkDmarTranslation(s).rows.map((r) => r.bdf)).toEqual([
      '00:02.0',
      '00:1f.0',
      '01:00.0',
    ]);
    const noLower = load({
      iommu: { rootTableAddr: '0x10000' },
      devices: [
        { bdf: '00:1f.0', backend: 'emulated' },
        { bdf: '01:00.0', backend: 'emulated' },
      ],
      tables: {
        devices: ['00:1f.0', '01:00.0'].map((bdf) => ({
          bdf,
          pasids: [{ pasid: 0, present: true, pgtt: 'pass-through', did: 1 }],
        })),
      },
    });
    // 00:1f.0 (devfn 0xf8) lives in the upper half; bus 0 has no lower half, so Linux never gets there.
    expect(walkDmarTranslation(noLower).rows.map((r) => r.bdf)).toEqual(['01:00.0']);
  });

  it('a device with no present PASID entry prints nothing; the pages list names every structure', () => {
    const s = load({
      ...base,
      devices: [...base.devices, { bdf: '00:03.0', backend: 'emulated' }],
      tables: {
        devices: [
          ...base.tables.devices,
          {
            bdf: '00:03.0',
            directory: { addr: '0x50000', pdts: 2 },
            pasids: [{ pasid: 0, present: false }],
          },
        ],
      },
    });
    const view = walkDmarTranslation(s);
    expect(new Set(view.rows.map((r) => r.bdf))).toEqual(new Set(['00:02.0']));
    const pages = new Map(view.pages.map((p) => [p.addr, p.what]));
    expect(pages.get(0x10000n)).toBe('the root table');
    expect(pages.get(0x40000n)).toBe('the PASID directory of 00:02.0');
    // The walk still read 00:03.0's directory and its (empty) PASID table.
    expect(pages.get(0x50000n)).toBe('the PASID directory of 00:03.0');
    expect([...pages.values()].filter((w) => w.startsWith('the PASID table of'))).toHaveLength(2);
  });

  it('legacy mode (SMT off): one row per present context entry, PASID -1 and zero words', () => {
    const s = load({
      iommu: {
        rootTableAddr: '0x10000',
        scalableMode: false,
        fsts: false,
        pasidBits: 0,
        rootScalable: false,
      },
      devices: [{ bdf: '00:03.0', backend: 'emulated' }],
      // Legacy context table at 0x20000: 16-byte entries, devfn 0x18 at 0x20180.
      memory: [
        { addr: '0x10000', qwords: ['0x20001', '0x0'] },
        { addr: '0x20180', qwords: ['0x30001', '0x102'] },
      ],
    });
    expect(formatDebugfsDump(s).split('\n')[2]).toBe(
      '00:03.0\t0x0000000000000000:0x0000000000020001\t0x0000000000000102:0x0000000000030001\t-1    \t0x0000000000000000:0x0000000000000000:0x0000000000000000',
    );
  });
});

import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../memory/guestMemory.ts';
import { contextEntryAddress, decodeContextEntry } from '../tables/contextEntry.ts';
import {
  decodePasidDirEntry,
  pasidDirEntryAddress,
  pasidEntryAddress,
} from '../tables/pasidDirEntry.ts';
import { decodePasidEntry } from '../tables/pasidEntry.ts';
import { decodeRootEntry, rootEntryAddress } from '../tables/rootEntry.ts';
import { parseScenario } from './parseScenario.ts';
import { linuxPdtsFor } from './scenarioAuthoring.ts';
import type { Scenario, ScenarioStep } from './scenarioTypes.ts';

const PAGE = 0x1000n;

function ok(raw: unknown): { scenario: Scenario; warnings: string[] } {
  const r = parseScenario(raw);
  if (!r.ok) throw new Error(`expected a valid file, got ${JSON.stringify(r.errors)}`);
  return r;
}

function refused(raw: unknown): { path: string; message: string } {
  const r = parseScenario(raw);
  if (r.ok) throw new Error('expected the file to be refused');
  return r.errors[0]!;
}

function read(mem: GuestMemory, addr: bigint, n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => mem.readQword(addr + BigInt(8 * i)));
}

/** Guest memory after the initial blocks and the first `k` steps' writes. */
function memoryAfter(s: Scenario, k = s.steps.length): GuestMemory {
  const mem = GuestMemory.fromBlocks(s.iommu.guestRamBytes, s.memory);
  for (const step of s.steps.slice(0, k))
    if (step.op === 'write') mem.writeQwords(step.addr, step.qwords);
  return mem;
}

interface Walk {
  readonly contextAddr: bigint;
  readonly context: ReturnType<typeof decodeContextEntry>;
  readonly dirEntryAddr: bigint;
  readonly dirEntry: ReturnType<typeof decodePasidDirEntry>;
  readonly entryAddr: bigint;
  readonly entry: ReturnType<typeof decodePasidEntry>;
  readonly entryWords: bigint[];
}

/** Root -> context -> directory -> table, with the model's decoders (not the resolver's code). */
function walk(
  mem: GuestMemory,
  rootTable: bigint,
  bus: number,
  devfn: number,
  pasid: number,
): Walk {
  const root = decodeRootEntry(read(mem, rootEntryAddress(rootTable, bus), 2));
  const table = devfn >= 128 ? root.upperContextTable : root.lowerContextTable;
  const contextAddr = contextEntryAddress(table, devfn);
  const context = decodeContextEntry(read(mem, contextAddr, 4));
  const dirEntryAddr = pasidDirEntryAddress(context.pasidDirPtr, pasid);
  const dirEntry = decodePasidDirEntry(read(mem, dirEntryAddr, 1));
  const entryAddr = pasidEntryAddress(dirEntry.pasidTablePtr, pasid);
  const entryWords = read(mem, entryAddr, 8);
  return {
    contextAddr,
    context,
    dirEntryAddr,
    dirEntry,
    entryAddr,
    entry: decodePasidEntry(entryWords),
    entryWords,
  };
}

const file = (extra: Record<string, unknown>): Record<string, unknown> => ({
  format: 'pasidscope-scenario',
  version: 1,
  iommu: { rootTableAddr: '0x10000', guestRamBytes: '0x1000000' },
  devices: [
    { bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20 },
    { bdf: '00:03.0', backend: 'emulated' },
  ],
  ...extra,
});

describe('linuxPdtsFor', () => {
  it('sizes directories as Linux intel_pasid_alloc_table does', () => {
    // 4 KiB directory (PDTS 2) for a device without PASID or with few PASIDs; 128 KiB (PDTS 7) for 20 bits.
    expect(linuxPdtsFor(0)).toBe(2);
    expect(linuxPdtsFor(15)).toBe(2);
    expect(linuxPdtsFor(16)).toBe(3);
    expect(linuxPdtsFor(20)).toBe(7);
  });
});

describe('tables', () => {
  const tables = {
    devices: [
      {
        bdf: '00:02.0',
        pasids: [
          { pasid: 0, present: true, pgtt: 'pass-through', did: 1 },
          {
            pasid: 0x41,
            present: true,
            pgtt: 'first-stage',
            did: 3,
            fsptptr: '0x123000',
            sre: true,
          },
        ],
      },
      { bdf: '00:03.0', context: { present: true, fpd: true } },
    ],
  };

  it('puts every entry where QEMU will look for it', () => {
    const { scenario } = ok(file({ tables }));
    const mem = memoryAfter(scenario);
    const w0 = walk(mem, 0x10000n, 0, 0x10, 0);
    expect(w0.context).toMatchObject({ present: true, pdts: 7 });
    expect(w0.dirEntry.present).toBe(true);
    expect(w0.entry).toMatchObject({ present: true, pgtt: 4, did: 1 });
    const w41 = walk(mem, 0x10000n, 0, 0x10, 0x41);
    expect(w41.entry).toMatchObject({
      present: true,
      pgtt: 1,
      did: 3,
      fsptptr: 0x123000n,
      sre: true,
    });
    // PASIDs 0 and 0x41 live in different 64-entry chunks, so in different PASID tables.
    expect(w41.dirEntryAddr - w0.dirEntryAddr).toBe(8n);
    expect(w41.dirEntry.pasidTablePtr).not.toBe(w0.dirEntry.pasidTablePtr);
    const w3 = walk(mem, 0x10000n, 0, 0x18, 0);
    // The emulated device has no PASID, so Linux would give it a 4 KiB directory (PDTS 2).
    expect(w3.context).toMatchObject({ present: true, fpd: true, pdts: 2 });
    expect(w3.dirEntry.present).toBe(false);
  });

  it('allocates page-aligned, non-overlapping structures inside guest RAM', () => {
    const { scenario } = ok(file({ tables }));
    const mem = memoryAfter(scenario);
    const w0 = walk(mem, 0x10000n, 0, 0x10, 0);
    const w41 = walk(mem, 0x10000n, 0, 0x10, 0x41);
    const w3 = walk(mem, 0x10000n, 0, 0x18, 0);
    const regions = [
      { start: 0x10000n, bytes: PAGE }, // root table
      { start: w0.contextAddr & ~0xfffn, bytes: PAGE }, // context table
      { start: w0.context.pasidDirPtr, bytes: 128n * 1024n },
      { start: w3.context.pasidDirPtr, bytes: PAGE },
      { start: w0.dirEntry.pasidTablePtr, bytes: PAGE },
      { start: w41.dirEntry.pasidTablePtr, bytes: PAGE },
    ];
    for (const r of regions) {
      expect(r.start % PAGE).toBe(0n);
      expect(r.start + r.bytes <= 0x1000000n).toBe(true);
    }
    for (const a of regions) {
      for (const b of regions) {
        if (a !== b)
          expect(a.start + a.bytes <= b.start || b.start + b.bytes <= a.start).toBe(true);
      }
    }
    // The explicit first-stage page-table pointer is never handed out.
    for (const r of regions)
      expect(r.start <= 0x123000n && 0x123000n < r.start + r.bytes).toBe(false);
  });

  it('leaves the context entry unwritten for "context": null but keeps the directory for later', () => {
    const { scenario } = ok(
      file({
        tables: {
          devices: [
            {
              bdf: '00:02.0',
              context: null,
              pasids: [{ pasid: 0, present: true, pgtt: 1, did: 2 }],
            },
          ],
        },
        steps: [{ op: 'writeContextEntry', bdf: '00:02.0', fields: { present: true } }],
      }),
    );
    const before = memoryAfter(scenario, 0);
    const root = decodeRootEntry(read(before, 0x10000n, 2));
    expect(root.lowerPresent).toBe(false);
    // The step allocates the context table (root entry written first), then writes the context entry.
    expect(scenario.steps.map((s) => s.op)).toEqual(['write', 'write']);
    const after = walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 0);
    expect(after.context).toMatchObject({ present: true, pdts: 7 });
    expect(after.entry).toMatchObject({ present: true, pgtt: 1, did: 2 });
  });

  it('honours an explicit directory address and a PDTS smaller than the directory', () => {
    const { scenario } = ok(
      file({
        tables: {
          devices: [
            {
              bdf: '00:02.0',
              directory: { addr: '0x200000', pdts: 7 },
              context: { pdts: 0 },
              pasids: [{ pasid: 0x2005, present: true, pgtt: 1, did: 3 }],
            },
          ],
        },
      }),
    );
    const w = walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 0x2005);
    expect(w.context).toMatchObject({ pasidDirPtr: 0x200000n, pdts: 0, present: true });
    expect(w.dirEntryAddr).toBe(0x200000n + 0x80n * 8n);
    expect(w.entry).toMatchObject({ present: true, did: 3 });
  });

  it('expands a PASID range and coalesces the memory it writes', () => {
    const { scenario } = ok(
      file({
        tables: {
          devices: [
            { bdf: '00:02.0', pasids: [{ pasidRange: [0, 130], present: true, pgtt: 1, did: 5 }] },
          ],
        },
      }),
    );
    const mem = memoryAfter(scenario);
    for (const p of [0, 63, 64, 127, 128, 130]) {
      expect(walk(mem, 0x10000n, 0, 0x10, p).entry).toMatchObject({ present: true, did: 5 });
    }
    expect(walk(mem, 0x10000n, 0, 0x10, 131).entry.present).toBe(false);
    // A few blocks (root, context, directory, three tables' runs), not one per entry.
    expect(scenario.memory.length).toBeLessThan(20);
  });

  it('applies directory-entry overrides: a non-present entry keeps its table', () => {
    const { scenario } = ok(
      file({
        tables: {
          devices: [
            {
              bdf: '00:02.0',
              dirEntries: [{ index: 1, present: false }],
              pasids: [{ pasid: 70, present: true, pgtt: 1, did: 3 }],
            },
          ],
        },
      }),
    );
    const w = walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 70);
    expect(w.dirEntry.present).toBe(false);
    expect(w.dirEntry.pasidTablePtr).not.toBe(0n);
    expect(w.entry).toMatchObject({ present: true, did: 3 });
  });

  it('starts an entry from raw words when given', () => {
    const words = ['0x41', '0x3', '0x0', '0x0', '0x0', '0x0', '0x0', '0xdead'];
    const { scenario } = ok(
      file({ tables: { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 1, words, did: 9 }] }] } }),
    );
    const w = walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 1);
    expect(w.entryWords).toEqual([0x41n, 9n, 0n, 0n, 0n, 0n, 0n, 0xdeadn]);
  });

  it('uses the upper root half and context table for devfn >= 128', () => {
    const { scenario } = ok(
      file({
        devices: [{ bdf: '05:11.0', backend: 'emulated' }],
        tables: {
          devices: [{ bdf: '05:11.0', pasids: [{ pasid: 0, present: true, pgtt: 4, did: 1 }] }],
        },
      }),
    );
    const mem = memoryAfter(scenario);
    const root = decodeRootEntry(read(mem, rootEntryAddress(0x10000n, 5), 2));
    expect(root).toMatchObject({ upperPresent: true, lowerPresent: false });
    expect(walk(mem, 0x10000n, 5, 0x88, 0).entry).toMatchObject({ present: true, pgtt: 4 });
  });

  it('adjusts root entries after the devices are placed', () => {
    const { scenario } = ok(
      file({
        tables: {
          devices: [{ bdf: '00:02.0', pasids: [{ pasid: 0, present: true, pgtt: 4, did: 1 }] }],
          rootEntries: [{ bus: 0, lowerPresent: false }],
        },
      }),
    );
    const root = decodeRootEntry(read(memoryAfter(scenario), 0x10000n, 2));
    expect(root.lowerPresent).toBe(false);
    expect(root.lowerContextTable).not.toBe(0n);
  });

  it('masks the root table address as QEMU does', () => {
    const { scenario } = ok({
      ...file({
        tables: { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 0, present: true, pgtt: 4 }] }] },
      }),
      iommu: { rootTableAddr: '0x10400', guestRamBytes: '0x1000000' },
    });
    expect(walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 0).entry.present).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'an unknown field',
      { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 1, domain: 3 }] }] },
      '$.tables.devices[0].pasids[0].domain',
      /unknown PASID table entry field "domain"/,
    ],
    [
      'a value too wide for its field',
      { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 1, did: 0x10000 }] }] },
      '$.tables.devices[0].pasids[0].did',
      /16 bits/,
    ],
    [
      'a misaligned address field',
      { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 1, fsptptr: '0x1234' }] }] },
      '$.tables.devices[0].pasids[0].fsptptr',
      /4096-byte aligned/,
    ],
    [
      'both pasid and pasidRange',
      { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 1, pasidRange: [1, 2] }] }] },
      '$.tables.devices[0].pasids[0]',
      /exactly one of/,
    ],
    [
      'a PASID listed twice',
      { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 5 }, { pasidRange: [4, 6] }] }] },
      '$.tables.devices[0].pasids[1]',
      /listed twice/,
    ],
    [
      'a PASID beyond the directory',
      { devices: [{ bdf: '00:03.0', pasids: [{ pasid: 0x8000, present: true }] }] },
      '$.tables.devices[0].pasids[0]',
      /beyond the PASID directory of 00:03.0.*PDTS 2/,
    ],
    [
      'a device listed twice',
      { devices: [{ bdf: '00:02.0' }, { bdf: '00:02.0' }] },
      '$.tables.devices[1].bdf',
      /duplicate device/,
    ],
    [
      'a PGTT name that does not exist',
      { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 1, pgtt: 'fst' }] }] },
      '$.tables.devices[0].pasids[0].pgtt',
      /"first-stage"/,
    ],
  ])('refuses %s, naming the path', (_name, tables, path, message) => {
    const e = refused(file({ tables }));
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
  });

  it('refuses a layout that does not fit in guest RAM', () => {
    const e = refused({
      ...file({ tables: { devices: [{ bdf: '00:02.0', pasids: [{ pasid: 0, present: true }] }] } }),
      iommu: { rootTableAddr: '0x0', guestRamBytes: '0x8000' },
    });
    expect(e.path).toBe('$.tables.devices[0].directory');
    expect(e.message).toMatch(/no free guest RAM/);
  });

  it('warns when a table overwrites different data given in "memory"', () => {
    const { warnings } = ok(
      file({
        memory: [{ addr: '0x200000', qwords: ['0x1234'] }],
        tables: {
          devices: [
            { bdf: '00:02.0', directory: { addr: '0x200000' }, dirEntries: [{ index: 0 }] },
          ],
        },
      }),
    );
    expect(warnings.join('\n')).toMatch(
      /\$\.tables\.devices\[0\]\.dirEntries\[0\]: overwrites 0x1234 at 0x200000/,
    );
  });
});

describe('a PASID directory near the top of the address space', () => {
  // 4 KiB below 2^64: room for directory entries 0..511 only (the default PDTS 7 has 16,384).
  const TOP_PAGE = '0xfffffffffffff000';
  const nearTop = (device: Record<string, unknown>, steps: unknown[] = []) =>
    file({
      tables: { devices: [{ bdf: '00:02.0', directory: { addr: TOP_PAGE }, ...device }] },
      steps,
    });
  const PAST_END = /would lie at 2\^64 or above.*runs past the end of the 64-bit address space/;

  it('places the entries that fit where the walk reads them', () => {
    const { scenario } = ok(
      nearTop({ pasids: [{ pasid: 0x40 * 511, present: true, pgtt: 'pass-through', did: 1 }] }),
    );
    const w = walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 0x40 * 511);
    expect(w.dirEntryAddr).toBe(0xffff_ffff_ffff_fff8n);
    expect(w.dirEntry.present).toBe(true);
    expect(w.entry).toMatchObject({ present: true, did: 1 });
  });

  it.each<[string, unknown, string]>([
    [
      'a PASID entry by field',
      nearTop({ pasids: [{ pasid: 0x40 * 512, present: true, pgtt: 'pass-through', did: 1 }] }),
      '$.tables.devices[0].pasids[0]',
    ],
    [
      'a directory entry by field',
      nearTop({ dirEntries: [{ index: 1024, present: false }] }),
      '$.tables.devices[0].dirEntries[0].index',
    ],
    [
      'a writePasidDirEntry step',
      nearTop({}, [
        { op: 'writePasidDirEntry', bdf: '00:02.0', index: 512, fields: { present: false } },
      ]),
      '$.steps[0].index',
    ],
  ])('refuses %s that would wrap to a low address', (_, raw, path) => {
    const e = refused(raw);
    expect(e.path).toBe(path);
    expect(e.message).toMatch(PAST_END);
  });
});

describe('structure writes by field', () => {
  const setup = {
    tables: {
      devices: [
        {
          bdf: '00:02.0',
          pasids: [{ pasid: 5, present: true, pgtt: 'first-stage', did: 3, fsptptr: '0x7000' }],
        },
      ],
    },
  };

  it('merges onto the entry as it is at that point and writes only what changed', () => {
    const { scenario } = ok(
      file({
        ...setup,
        steps: [
          {
            op: 'writePasidEntry',
            bdf: '00:02.0',
            pasid: 5,
            fields: { present: false },
            note: 'teardown',
          },
        ],
      }),
    );
    const before = walk(memoryAfter(scenario, 0), 0x10000n, 0, 0x10, 5);
    expect(scenario.steps).toEqual<ScenarioStep[]>([
      {
        op: 'write',
        addr: before.entryAddr,
        qwords: [before.entryWords[0]! & ~1n],
        note: 'teardown',
      },
    ]);
    const after = walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 5);
    expect(after.entry).toEqual({ ...before.entry, present: false });
  });

  it('sees raw writes made by earlier steps', () => {
    const { scenario } = ok(
      file({
        ...setup,
        steps: [
          { op: 'writePasidEntry', bdf: '00:02.0', pasid: 5, fields: { did: 4 } },
          { op: 'writePasidEntry', bdf: '00:02.0', pasid: 5, fields: { did: 6 } },
        ],
      }),
    );
    const e = walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 5).entry;
    expect(e).toMatchObject({ present: true, pgtt: 1, did: 6, fsptptr: 0x7000n });
  });

  it('"clear" starts from an all-zero entry', () => {
    const { scenario } = ok(
      file({
        ...setup,
        steps: [
          { op: 'writePasidEntry', bdf: '00:02.0', pasid: 5, clear: true, fields: { did: 4 } },
        ],
      }),
    );
    const w = walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 5);
    expect(w.entryWords).toEqual([0n, 4n, 0n, 0n, 0n, 0n, 0n, 0n]);
  });

  it('allocates a PASID table for a new chunk with its own write step first', () => {
    const { scenario } = ok(
      file({
        ...setup,
        steps: [
          {
            op: 'writePasidEntry',
            bdf: '00:02.0',
            pasid: 0x1000,
            fields: { present: true, pgtt: 1, did: 7 },
          },
        ],
      }),
    );
    expect(scenario.steps).toHaveLength(2);
    expect(scenario.steps[0]?.note).toMatch(
      /PASID directory entry 64 of 00:02.0 -> new PASID table/,
    );
    const mid = walk(memoryAfter(scenario, 1), 0x10000n, 0, 0x10, 0x1000);
    expect(mid.dirEntry.present).toBe(true);
    expect(mid.entry.present).toBe(false);
    expect(walk(memoryAfter(scenario), 0x10000n, 0, 0x10, 0x1000).entry).toMatchObject({
      present: true,
      did: 7,
    });
  });

  it('builds a device from nothing: context table, directory, table', () => {
    const { scenario } = ok(
      file({
        steps: [
          {
            op: 'writePasidEntry',
            bdf: '00:03.0',
            pasid: 0,
            fields: { present: true, pgtt: 2, aw: 2, did: 2 },
          },
          { op: 'writeContextEntry', bdf: '00:03.0', fields: { present: true } },
        ],
      }),
    );
    // dir entry (new table), PASID entry, root entry (new context table), context entry
    expect(scenario.steps).toHaveLength(4);
    const w = walk(memoryAfter(scenario), 0x10000n, 0, 0x18, 0);
    expect(w.context).toMatchObject({ present: true, pdts: 2 });
    expect(w.entry).toMatchObject({ present: true, pgtt: 2, aw: 2, did: 2 });
  });

  it('writes directory and root entries by field', () => {
    const { scenario } = ok(
      file({
        ...setup,
        steps: [
          { op: 'writePasidDirEntry', bdf: '00:02.0', index: 0, fields: { present: false } },
          { op: 'writeRootEntry', bus: 0, fields: { lowerPresent: false } },
        ],
      }),
    );
    const mem = memoryAfter(scenario);
    expect(decodeRootEntry(read(mem, 0x10000n, 2)).lowerPresent).toBe(false);
    const ce = memoryAfter(scenario, 0);
    const w = walk(ce, 0x10000n, 0, 0x10, 5);
    expect(decodePasidDirEntry(read(mem, w.dirEntryAddr, 1))).toEqual({
      ...w.dirEntry,
      present: false,
    });
  });

  it('refuses by-field writes with bad fields, naming the path', () => {
    const e = refused(
      file({ steps: [{ op: 'writePasidEntry', bdf: '00:02.0', pasid: 1, fields: { pgtt: 9 } }] }),
    );
    expect(e.path).toBe('$.steps[0].fields.pgtt');
    expect(e.message).toMatch(/0\.\.7/);
  });

  it('gives raw steps the step path of the file in errors', () => {
    const e = refused(
      file({
        steps: [
          { op: 'clearIqe' },
          { op: 'writePasidEntry', bdf: '00:03.0', pasid: 0x9000, fields: {} },
        ],
      }),
    );
    expect(e.path).toBe('$.steps[1]');
  });
});

describe('property: authored PASID entries land where the walk finds them', () => {
  const entry = fc.record({
    present: fc.boolean(),
    pgtt: fc.integer({ min: 0, max: 7 }),
    did: fc.integer({ min: 0, max: 0xffff }),
    fpd: fc.boolean(),
    fspm: fc.integer({ min: 0, max: 3 }),
    fsptptr: fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }).map((v) => v << 12n),
  });

  propTest.prop(
    [
      fc.uniqueArray(fc.integer({ min: 0, max: 0x3fff }), { minLength: 1, maxLength: 12 }),
      fc.array(entry, { minLength: 12, maxLength: 12 }),
    ],
    { numRuns: 60 },
  )('every entry decodes to its fields', (pasids, entries) => {
    const listed = pasids.map((pasid, i) => {
      const e = entries[i]!;
      return { pasid, ...e, fsptptr: `0x${e.fsptptr.toString(16)}` };
    });
    const { scenario } = ok(
      file({
        iommu: { rootTableAddr: '0x10000', guestRamBytes: '0x40000000' },
        devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 14 }],
        tables: { devices: [{ bdf: '00:02.0', pasids: listed }] },
      }),
    );
    const mem = memoryAfter(scenario);
    for (const [i, pasid] of pasids.entries()) {
      const e = entries[i]!;
      expect(walk(mem, 0x10000n, 0, 0x10, pasid).entry).toMatchObject({
        present: e.present,
        pgtt: e.pgtt,
        did: e.did,
        fpd: e.fpd,
        fspm: e.fspm,
        fsptptr: e.fsptptr,
      });
    }
  });
});

import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { memoryAtStep } from '../run/memoryAtStep.ts';
import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import { createLookupScratch, vtdDevGetPeFromPasid } from '../qemu/vtdPasidEntry.ts';
import { runScenario } from '../run/runScenario.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { formatDebugfsDump, walkDmarTranslation } from './dmarTranslationStruct.ts';
import type { DebugfsImportOptions } from './importDebugfsDump.ts';
import { importDebugfsDump } from './importDebugfsDump.ts';
import type { ImportIssue } from './importTypes.ts';

const HEADER = 'B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry';
const w = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/** One dump row, built from Linux's print_tbl_walk format by hand. */
function row(
  bdf: string,
  root: readonly [bigint, bigint],
  ctx: readonly [bigint, bigint],
  pasid: number,
  entry: readonly [bigint, bigint, bigint],
): string {
  return [
    bdf,
    `${w(root[1])}:${w(root[0])}`,
    `${w(ctx[1])}:${w(ctx[0])}`,
    String(pasid).padEnd(6),
    `${w(entry[2])}:${w(entry[1])}:${w(entry[0])}`,
  ].join('\t');
}

// A small guest: root table 0x100000, bus 0's context table 0x101000, a NIC at 00:02.0 with a
// 20-bit PASID directory (PDTS 7) at 0x200000 and a disk at 00:03.0 (PDTS 2) at 0x240000.
const ROOT0: [bigint, bigint] = [0x101001n, 0n];
const NIC_CTX: [bigint, bigint] = [0x200000n | (7n << 9n) | 8n | 1n, 0n];
const DISK_CTX: [bigint, bigint] = [0x240000n | (2n << 9n) | 1n, 0n];
const FS = (did: bigint, pgd: bigint): [bigint, bigint, bigint] => [0x49n, did, pgd];
const SS = (did: bigint, pgd: bigint): [bigint, bigint, bigint] => [pgd | 0x89n, did, 0n];

const SMALL = [
  'IOMMU dmar0: Root Table Address: 0x100000',
  HEADER,
  row('00:02.0', ROOT0, NIC_CTX, 0, FS(2n, 0x300000n)),
  row('00:02.0', ROOT0, NIC_CTX, 1, FS(1n, 0x301000n)),
  row('00:02.0', ROOT0, NIC_CTX, 200, FS(5n, 0x302000n)),
  row('00:03.0', ROOT0, DISK_CTX, 0, FS(3n, 0x303000n)),
  '',
  '',
].join('\n');

function imported(text: string, options: DebugfsImportOptions = {}) {
  const r = importDebugfsDump(text, options);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

function failure(text: string, options: DebugfsImportOptions = {}): ImportIssue {
  const r = importDebugfsDump(text, options);
  if (r.ok) throw new Error('expected the import to fail');
  return r.errors[0]!;
}

/** QEMU's own lookup of (bdf, pasid) in the scenario's initial memory: 0 and the entry, or the fault. */
function lookup(s: Scenario, bus: number, devfn: number, pasid: number) {
  const caps = vtdCapInit(s.iommu);
  const scratch = createLookupScratch();
  const pe = new Uint32Array(16);
  const fault = vtdDevGetPeFromPasid(
    { memory: memoryAtStep(s, 0), caps },
    bus,
    devfn,
    pasid,
    pe,
    scratch,
    null,
  );
  const words = Array.from(
    { length: 8 },
    (_, i) => BigInt(pe[2 * i]!) | (BigInt(pe[2 * i + 1]!) << 32n),
  );
  return { fault, words };
}

describe('importDebugfsDump: what the dump shows lands where the dump says', () => {
  it('places root and context entries at the shown addresses and keeps directory pointer and PDTS', () => {
    const { scenario } = imported(SMALL);
    const mem = memoryAtStep(scenario, 0);
    expect(scenario.iommu.rootTableAddr).toBe(0x100000n);
    expect([mem.readQword(0x100000n), mem.readQword(0x100008n)]).toEqual(ROOT0);
    // Scalable context entries are 32 bytes: devfn 0x10 at +0x200, 0x18 at +0x300.
    expect(mem.readQword(0x101200n)).toBe(NIC_CTX[0]);
    expect(mem.readQword(0x101300n)).toBe(DISK_CTX[0]);
  });

  it('allocates PASID tables and directory entries so that QEMU finds every entry (val[3..7] zero)', () => {
    const { scenario } = imported(SMALL);
    const cases: [number, number, [bigint, bigint, bigint]][] = [
      [0x10, 0, FS(2n, 0x300000n)],
      [0x10, 1, FS(1n, 0x301000n)],
      [0x10, 200, FS(5n, 0x302000n)],
      [0x18, 0, FS(3n, 0x303000n)],
    ];
    for (const [devfn, pasid, entry] of cases) {
      const r = lookup(scenario, 0, devfn, pasid);
      expect(r.fault, `devfn ${devfn} pasid ${pasid}`).toBe(0);
      expect(r.words).toEqual([...entry, 0n, 0n, 0n, 0n, 0n]);
    }
    // PASID 200 lives in directory entry 3 of the NIC's directory, in a table of its own.
    const mem = memoryAtStep(scenario, 0);
    const de0 = mem.readQword(0x200000n);
    const de3 = mem.readQword(0x200000n + 3n * 8n);
    expect(de0 & 1n).toBe(1n);
    expect(de3 & 1n).toBe(1n);
    expect(de0 & ~0xfffn).not.toBe(de3 & ~0xfffn);
    // Unused chunks stay not present; no table lands inside a directory.
    expect(mem.readQword(0x200000n + 8n)).toBe(0n);
    for (const de of [de0, de3]) {
      const table = de & ~0xfffn;
      expect(table >= 0x200000n && table < 0x200000n + 0x20000n).toBe(false);
    }
  });

  it('prints back the same dump (dump -> import -> dump is the identity)', () => {
    expect(formatDebugfsDump(imported(SMALL).scenario)).toBe(SMALL);
  });

  it('ends with one global PASID-cache invalidation that fills the caches', () => {
    const r = imported(SMALL, { backend: 'iommufd' });
    expect(r.scenario.steps).toHaveLength(1);
    const result = runScenario(r.scenario);
    expect(result.steps[0]?.status).toBe('processed');
    expect(result.steps[0]?.pcInfo).toEqual({ type: 3, did: 0, pasid: 0 });
    expect(result.final.accel['00:02.0']?.map((e) => e.pasid).sort((a, b) => a - b)).toEqual([
      0, 1, 200,
    ]);
    expect(result.final.accel['00:03.0']?.map((e) => e.pasid)).toEqual([0]);
    expect(result.final.emulated['00:02.0']?.['0']).toEqual({
      valid: true,
      entry: [...FS(2n, 0x300000n), 0n, 0n, 0n, 0n, 0n],
    });
  });
});

describe('importDebugfsDump: settings read off the dump', () => {
  it('first-stage entries mean fsts on; PASIDs beyond 0 mean pasid-bits 20', () => {
    const r = imported(SMALL);
    expect(r.scenario.iommu).toMatchObject({ fsts: true, pasidBits: 20, awBits: 48 });
    expect(r.summary.inferred.join(' ')).toMatch(/fsts on \(the guest uses first-stage entries/);
  });

  it('second-stage entries with AW 1 mean fsts off and aw-bits 39; PASID 0 only means pasid-bits 0', () => {
    const ctx: [bigint, bigint] = [0x240000n | (2n << 9n) | 1n, 0n];
    const aw1 = (did: bigint): [bigint, bigint, bigint] => [0x500000n | 0x85n, did, 0n];
    const text = [
      'IOMMU dmar0: Root Table Address: 0x100000',
      HEADER,
      row('00:03.0', ROOT0, ctx, 0, aw1(3n)),
    ].join('\n');
    expect(imported(text).scenario.iommu).toMatchObject({ fsts: false, awBits: 39, pasidBits: 0 });
  });

  it('an explicit fsts wins, with a warning naming the lines QEMU will then reject', () => {
    const text = [
      'IOMMU dmar0: Root Table Address: 0x100000',
      HEADER,
      row('00:03.0', ROOT0, DISK_CTX, 0, SS(3n, 0x500000n)),
    ].join('\n');
    const r = imported(text, { fsts: true, backend: 'iommufd' });
    expect(r.scenario.iommu.fsts).toBe(true);
    expect(r.warnings.map((x) => x.message).join('\n')).toMatch(
      /fsts is on: QEMU rejects the second-stage entries \(PGTT 2\) of line 3/,
    );
  });

  it('backends: emulated devices get their PASIDs as address spaces; passthrough ones a max_pasid_log2', () => {
    const em = imported(SMALL).scenario.devices;
    expect(em.map((d) => [d.bdf, d.backend, d.pasidAddressSpaces])).toEqual([
      ['00:02.0', 'emulated', [1, 200]],
      ['00:03.0', 'emulated', []],
    ]);
    const pt = imported(SMALL, { backend: 'iommufd' }).scenario.devices;
    // PASIDE with PDTS 7 is what Linux writes for a 20-bit device; no PASIDE means no PASID.
    expect(pt.map((d) => [d.bdf, d.maxPasidLog2])).toEqual([
      ['00:02.0', 20],
      ['00:03.0', 0],
    ]);
    expect(
      imported(SMALL, { backend: 'iommufd', maxPasidLog2: 8 }).scenario.devices[1]?.maxPasidLog2,
    ).toBe(8);
  });

  it('refuses what QEMU refuses: vfio-legacy with fsts on', () => {
    expect(failure(SMALL, { backend: 'vfio-legacy' }).message).toMatch(
      /vfio-legacy with fsts on: QEMU needs the iommufd backend/,
    );
  });

  it('grows guest RAM to hold structures above 1 GiB', () => {
    const high = [
      'IOMMU dmar0: Root Table Address: 0x87654000',
      HEADER,
      row('00:03.0', [0x87655001n, 0n], [0x87656000n | (2n << 9n) | 1n, 0n], 0, FS(3n, 0n)),
    ].join('\n');
    const r = imported(high);
    expect(r.scenario.iommu.guestRamBytes).toBe(0x1_0000_0000n);
    expect(lookup(r.scenario, 0, 0x18, 0).fault).toBe(0);
  });
});

describe('importDebugfsDump: the shapes real dumps take', () => {
  it('several IOMMUs: the first with remapping on is imported, the others are named in warnings', () => {
    const text = [
      'DMA Remapping is not enabled on dmar0',
      'IOMMU dmar1: Root Table Address: 0x100000',
      HEADER,
      row('00:02.0', ROOT0, NIC_CTX, 0, FS(2n, 0x300000n)),
      '',
      'IOMMU dmar2: Root Table Address: 0x900000',
      HEADER,
      row('80:04.0', [0x901001n, 0n], [0x902000n | (2n << 9n) | 1n, 0n], 0, FS(9n, 0n)),
      '',
    ].join('\n');
    const first = imported(text);
    expect(first.summary.iommuName).toBe('dmar1');
    expect(first.scenario.devices.map((d) => d.bdf)).toEqual(['00:02.0']);
    expect(first.warnings).toContainEqual({
      line: 6,
      message: expect.stringMatching(
        /IOMMU dmar2 \(1 device\) not imported.*iommu "dmar2"/,
      ) as unknown,
    });
    const second = imported(text, { iommu: 'dmar2' });
    expect(second.scenario.iommu.rootTableAddr).toBe(0x900000n);
    expect(second.scenario.devices.map((d) => d.bdf)).toEqual(['80:04.0']);
    expect(failure(text, { iommu: 'dmar0' })).toEqual({
      line: 1,
      message: expect.stringMatching(/DMA remapping is not enabled on dmar0/) as unknown,
    });
    expect(failure(text, { iommu: 'dmar7' }).message).toMatch(
      /no IOMMU named "dmar7" in this dump; it has dmar0 \(line 1\), dmar1 \(line 2\), dmar2 \(line 6\)/,
    );
    expect(failure('DMA Remapping is not enabled on dmar0\n').message).toMatch(
      /not enabled on any IOMMU of this dump/,
    );
  });

  it('legacy rows (PASID -1): context entries at legacy addresses, no PASID machinery, no step', () => {
    const text = [
      'IOMMU dmar0: Root Table Address: 0x100000',
      HEADER,
      row('00:02.0', ROOT0, [0x400001n, 0x102n], -1, [0n, 0n, 0n]),
      row('00:1f.3', ROOT0, [0x410001n, 0x103n], -1, [0n, 0n, 0n]),
    ].join('\n');
    const r = imported(text);
    expect(r.summary.scalable).toBe(false);
    expect(r.scenario.iommu).toMatchObject({
      scalableMode: false,
      rootScalable: false,
      fsts: false,
      pasidBits: 0,
    });
    const mem = memoryAtStep(r.scenario, 0);
    // Legacy entries are 16 bytes, 256 per table: devfn 0xfb at +0xfb0 of the lower table.
    expect([mem.readQword(0x101100n), mem.readQword(0x101108n)]).toEqual([0x400001n, 0x102n]);
    expect([mem.readQword(0x101fb0n), mem.readQword(0x101fb8n)]).toEqual([0x410001n, 0x103n]);
    expect(r.scenario.steps).toEqual([]);
    expect(r.warnings.map((x) => x.message).join('\n')).toMatch(
      /legacy mode: QEMU uses its PASID caches only/,
    );
    expect(formatDebugfsDump(r.scenario)).toBe(`${text}\n\n`);
    expect(failure(text, { fsts: true }).message).toMatch(/fsts needs scalable mode/);
  });

  it('devices that share a directory (DMA aliases) share the PASID tables too', () => {
    const alias: [bigint, bigint] = [0x250000n | (2n << 9n) | 1n, 0n];
    const root3: [bigint, bigint] = [0x103001n, 0n];
    const text = [
      'IOMMU dmar0: Root Table Address: 0x100000',
      HEADER,
      row('03:00.0', root3, alias, 0, SS(11n, 0x616b000n)),
      row('03:01.0', root3, alias, 0, SS(11n, 0x616b000n)),
    ].join('\n');
    const { scenario } = imported(text);
    expect(lookup(scenario, 3, 0, 0).fault).toBe(0);
    expect(lookup(scenario, 3, 8, 0).fault).toBe(0);
    expect(
      walkDmarTranslation(scenario).pages.filter((p) => p.what.startsWith('the PASID table')),
    ).toHaveLength(1);
    const clash = text.replace(
      /0x000000000000000b:0x000000000616b089$/,
      '0x000000000000000c:0x000000000616b089',
    );
    expect(failure(clash)).toEqual({
      line: 4,
      message: expect.stringMatching(
        /PASID 0 of 03:01\.0 differs from line 3 \(03:00\.0\), but both devices use the PASID directory at 0x250000/,
      ) as unknown,
    });
  });

  it('reads CRLF files, spaces instead of tabs, comments and blank lines', () => {
    const loose = SMALL.replace(/\t/g, '   ').replace(/\n/g, '\r\n');
    const text = `# cat /sys/kernel/debug/iommu/intel/dmar_translation_struct\r\n\r\n${loose}`;
    expect(formatDebugfsDump(imported(text).scenario)).toBe(SMALL);
  });
});

describe('importDebugfsDump: errors name the line and never throw', () => {
  const at = (n: number, text: string): string => {
    const lines = SMALL.split('\n');
    lines[n - 1] = text;
    return lines.join('\n');
  };

  it.each<[string, string, number, RegExp]>([
    [
      'a bad root column',
      at(
        3,
        row('00:02.0', ROOT0, NIC_CTX, 0, FS(2n, 0n)).replace(':0x0000000000101001', '-0x101001'),
      ),
      3,
      /column 2 \(root entry\): expected hi:lo/,
    ],
    [
      'a bad PASID',
      at(4, row('00:02.0', ROOT0, NIC_CTX, 1, FS(1n, 0n)).replace('\t1     \t', '\tone\t')),
      4,
      /column 4 \(PASID\): expected a decimal PASID/,
    ],
    [
      'a PASID out of range',
      at(4, row('00:02.0', ROOT0, NIC_CTX, 1048576, FS(1n, 0n))),
      4,
      /1048576 is out of range/,
    ],
    ['a short row', at(5, '00:02.0\t0x0:0x101001'), 5, /expected 5 columns .* got 2/],
    [
      'a bad BDF',
      at(6, row('00:02.0', ROOT0, DISK_CTX, 0, FS(3n, 0n)).replace('00:02.0', '00:22.0')),
      6,
      /column 1 \(B\.D\.F\): expected a BDF like 00:02\.0 .* got "00:22\.0"/,
    ],
    [
      'a foreign line',
      at(2, 'hello world'),
      2,
      /not a line of dmar_translation_struct: "hello world"/,
    ],
    [
      'a different context entry for one device',
      at(4, row('00:02.0', ROOT0, [0x200e01n, 0n], 1, FS(1n, 0n))),
      4,
      /the context entry of 00:02\.0 is .* here but .* at line 3/,
    ],
    [
      'a different root entry for one bus',
      at(6, row('00:03.0', [0x111001n, 0n], DISK_CTX, 0, FS(3n, 0n))),
      6,
      /the root entry of bus 00 is .* at line 3/,
    ],
    [
      'a PASID listed twice',
      at(4, row('00:02.0', ROOT0, NIC_CTX, 0, FS(2n, 0x300000n))),
      4,
      /PASID 0 of 00:02\.0 appears twice \(also line 3\)/,
    ],
    [
      'a legacy row among scalable ones',
      at(6, row('00:03.0', ROOT0, DISK_CTX, -1, [0n, 0n, 0n])),
      6,
      /a legacy-mode row \(PASID -1\) among scalable-mode rows/,
    ],
    [
      'a PASID beyond the directory (PDTS 2)',
      at(6, row('00:03.0', ROOT0, DISK_CTX, 40000, FS(3n, 0n))),
      6,
      /PASID 40000 lies beyond the PASID directory of 00:03\.0 \(512 entries, PDTS 2/,
    ],
  ])('%s', (_name, text, line, pattern) => {
    const e = failure(text);
    expect(e.line).toBe(line);
    expect(e.message).toMatch(pattern);
  });

  it('a row before any IOMMU line', () => {
    expect(failure(SMALL.split('\n').slice(2).join('\n'))).toEqual({
      line: 1,
      message: 'a table row before any "IOMMU <name>: Root Table Address: 0x…" line',
    });
  });

  it('an empty or foreign file says what it expected', () => {
    expect(failure('').message).toMatch(/no IOMMU in this text/);
    expect(failure('{"format": "pasidscope-scenario"}')).toMatchObject({ line: 1 });
  });

  propTest.prop([fc.string({ maxLength: 400 })])('never throws on arbitrary text', (text) => {
    const r = importDebugfsDump(`IOMMU dmar0: Root Table Address: 0x1000\n${text}`);
    expect(typeof r.ok).toBe('boolean');
  });
});

describe('importDebugfsDump: round trip on generated guests', () => {
  const device = fc.record({
    slot: fc.integer({ min: 0, max: 31 }),
    fn: fc.integer({ min: 0, max: 7 }),
    pdts: fc.integer({ min: 0, max: 7 }),
    // PASID 0 always (Linux's RID_PASID entry; without it QEMU's PASID-0 check fails every lookup).
    pasids: fc
      .uniqueArray(fc.integer({ min: 1, max: 8191 }), { maxLength: 5 })
      .map((p) => [0, ...p]),
    did: fc.integer({ min: 1, max: 0xffff }),
  });
  propTest.prop(
    [fc.uniqueArray(device, { minLength: 1, maxLength: 4, selector: (d) => d.slot * 8 + d.fn })],
    {
      numRuns: 25,
    },
  )('scenario -> dump -> import: the same rows, and QEMU finds every entry', (devices) => {
    const raw = {
      format: 'pasidscope-scenario',
      version: 1,
      iommu: { rootTableAddr: '0x10000' },
      devices: devices.map((d) => ({
        bdf: `00:${d.slot.toString(16).padStart(2, '0')}.${d.fn}`,
        backend: 'iommufd',
        maxPasidLog2: 20,
      })),
      tables: {
        devices: devices.map((d) => ({
          bdf: `00:${d.slot.toString(16).padStart(2, '0')}.${d.fn}`,
          directory: { pdts: d.pdts },
          pasids: d.pasids.map((pasid) => ({
            pasid,
            present: true,
            pgtt: 'first-stage',
            aw: 2,
            did: (d.did + pasid) & 0xffff,
            fsptptr: `0x${(0x1000 * (pasid + 1)).toString(16)}`,
          })),
        })),
      },
    };
    const parsed = parseScenario(raw);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const original = walkDmarTranslation(parsed.scenario);
    const r = imported(formatDebugfsDump(parsed.scenario), { backend: 'iommufd' });
    const again = walkDmarTranslation(r.scenario);
    const shown = (v: typeof original) =>
      v.rows.map((x) => [x.bdf, x.rootEntry, x.contextEntry, x.pasid, x.pasidEntry]);
    expect(shown(again)).toEqual(shown(original));
    for (const x of original.rows) {
      expect(lookup(r.scenario, x.bus, x.devfn, x.pasid).words.slice(0, 3)).toEqual(x.pasidEntry);
    }
  });
});

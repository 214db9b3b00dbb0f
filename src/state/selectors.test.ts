import { describe, expect, it } from 'vitest';
import {
  decodeContextCacheDescriptor,
  decodePasidCacheInvDescriptor,
  decodePiotlb,
  decodeWaitDescriptor,
  type MemoryBlock,
  type Scenario,
} from '../model/index.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';
import { previewEntry } from './entryPreview.ts';
import { currentMemory, memoryAtStep } from './memoryImage.ts';
import { composerWords, resolveEntry } from './selectors.ts';
import { DEFAULT_COMPOSER } from './slices/composerSlice.ts';
import { buildStructureRows, structureRows, tableFoldKey } from './structureTree.ts';
import { fixtureText } from './testing/fixtures.ts';
import { writeWords } from './scenarioEdits.ts';

async function fixture(): Promise<Scenario> {
  const parsed = await createInProcessEngine().parseScenarioText(fixtureText);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value.scenario;
}

/** One iommufd device (00:02.0, devfn 0x10) under a root table at 0x1000; memory to be filled in. */
function sharedTableScenario(): Scenario {
  return {
    variant: 'seed',
    iommu: {
      scalableMode: true,
      fsts: true,
      pasidBits: 20,
      awBits: 48,
      queueWidth: 256,
      rootTableAddr: 0x1000n,
      rootScalable: true,
      dmarEnabled: true,
      guestRamBytes: 0x1_0000_0000n,
    },
    devices: [
      {
        bdf: '00:02.0',
        bus: 0,
        devfn: 0x10,
        backend: 'iommufd',
        maxPasidLog2: 20,
        pasidAddressSpaces: [],
      },
    ],
    memory: [],
    steps: [],
  };
}

describe('structure rows', () => {
  it('walks root → context → directory → table → entries, collapsing empty ranges', async () => {
    const s = await fixture();
    const rows = buildStructureRows(s, currentMemory(s), { fold: {} });
    expect(rows.map((r) => r.key)).toEqual([
      'device:00:02.0',
      'root:00:02.0',
      'context:00:02.0',
      'directory:00:02.0',
      'dir:00:02.0:0',
      'pasid:00:02.0:0',
      'pgap:00:02.0:1',
      'pasid:00:02.0:5',
      'pgap:00:02.0:6',
      'dirgap:00:02.0:1',
    ]);
    const gap = rows.find((r) => r.key === 'dirgap:00:02.0:1');
    // PDTS 0: 2^7 = 128 directory entries.
    expect(gap).toMatchObject({ from: 1, to: 127 });
    const pasid5 = rows.find((r) => r.key === 'pasid:00:02.0:5');
    expect(pasid5).toMatchObject({
      kind: 'pasid',
      addr: 0x4140n,
      summary: { present: true, did: 3, pgtt: 1 },
    });
  });

  it('folding a table hides its entries', async () => {
    const s = await fixture();
    const rows = buildStructureRows(s, currentMemory(s), {
      fold: { [tableFoldKey('00:02.0', 0)]: true },
    });
    expect(rows.some((r) => r.kind === 'pasid')).toBe(false);
    expect(rows.find((r) => r.kind === 'dir')).toMatchObject({ folded: true, presentPasids: 2 });
  });

  it('marks directories and tables that several devices share', async () => {
    const base = await fixture();
    // A second device (00:02.1, devfn 0x11) whose context entry points at the same directory.
    const s: Scenario = {
      ...base,
      devices: [...base.devices, { ...base.devices[0]!, bdf: '00:02.1', devfn: 0x11 }],
      memory: [...base.memory, { addr: 0x2220n, qwords: [0x3001n, 0n, 0n, 0n] }],
    };
    const rows = buildStructureRows(s, currentMemory(s), { fold: {} });
    const dirs = rows.filter((r) => r.kind === 'directory');
    expect(dirs.map((d) => (d.kind === 'directory' ? d.sharedWith : undefined))).toEqual([
      { count: 1, names: ['00:02.1'] },
      { count: 1, names: ['00:02.0'] },
    ]);
    // Both devices' directory entry 0 point at the same table.
    const tables = rows.filter((r) => r.kind === 'dir');
    expect(tables.map((d) => (d.kind === 'dir' ? d.sharedWith : undefined))).toEqual([
      { count: 1, names: ['00:02.1 dir 0'] },
      { count: 1, names: ['00:02.0 dir 0'] },
    ]);
  });

  it('stays linear when 16,384 directory entries share one PASID table', () => {
    // Every entry of a full directory (PDTS 7) points at the same table, which holds PASID slots
    // 0 and 7. Naming every other sharer in every row would be 16,384^2 names; the rows count them.
    const table = 0x300_0000n;
    const words: bigint[] = new Array<bigint>(64 * 8).fill(0n);
    words[0] = 0x41n;
    words[1] = 5n;
    words[7 * 8] = 0x40n; // slot 7: not present, but not empty
    const s: Scenario = {
      ...sharedTableScenario(),
      memory: [
        { addr: 0x1000n, qwords: [0x2001n, 0n] },
        { addr: 0x2200n, qwords: [0x100_0000n | (7n << 9n) | 1n, 0n, 0n, 0n] },
        { addr: 0x100_0000n, qwords: new Array<bigint>(16384).fill(table | 1n) },
        { addr: table, qwords: words },
      ],
    };
    const mem = currentMemory(s);
    const rows = structureRows(s, mem, { fold: {} });
    // device, root, context, directory, then one row per directory entry (tables folded: the
    // scenario lists 2 × 16,384 entries, over the auto-unfold limit).
    expect(rows.length).toBe(4 + 16384);
    expect(rows.at(0)).toMatchObject({ kind: 'device', presentPasids: 16384 });
    expect(rows.at(3)).toMatchObject({ kind: 'directory', entries: 16384, presentEntries: 16384 });
    const last = rows.at(4 + 16383);
    expect(last).toMatchObject({ kind: 'dir', index: 16383, table, presentPasids: 1 });
    const shared = last?.kind === 'dir' ? last.sharedWith : undefined;
    expect(shared?.count).toBe(16383);
    expect(shared?.names).toEqual([
      '00:02.0 dir 0',
      '00:02.0 dir 1',
      '00:02.0 dir 2',
      '00:02.0 dir 3',
    ]);
    const first = rows.at(4);
    expect(first?.kind === 'dir' ? first.sharedWith.names[0] : '').toBe('00:02.0 dir 1');

    // Every row materialised at once is still one small object per row.
    const all = buildStructureRows(s, mem, { fold: {} });
    expect(all).toHaveLength(4 + 16384);
    expect(all.every((r) => r.kind !== 'dir' || r.sharedWith.count === 16383)).toBe(true);

    // Unfolding entry 9000 shows the shared table's two entries and the empty runs between them,
    // as PASIDs of that entry; indexOf finds them.
    const unfolded = structureRows(s, mem, { fold: { [tableFoldKey('00:02.0', 9000)]: false } });
    expect(unfolded.length).toBe(4 + 16384 + 4);
    const at = unfolded.indexOf({ kind: 'dir', bdf: '00:02.0', index: 9000 });
    expect(at).toBe(4 + 9000);
    expect([1, 2, 3, 4].map((k) => unfolded.at(at + k)?.key)).toEqual([
      `pasid:00:02.0:${9000 * 64}`,
      `pgap:00:02.0:${9000 * 64 + 1}`,
      `pasid:00:02.0:${9000 * 64 + 7}`,
      `pgap:00:02.0:${9000 * 64 + 8}`,
    ]);
    expect(unfolded.at(at + 5)).toMatchObject({ kind: 'dir', index: 9001, folded: true });
    expect(unfolded.indexOf({ kind: 'pasid', bdf: '00:02.0', pasid: 9000 * 64 + 7 })).toBe(at + 3);
    // An entry without a row of its own: the row that holds it (the empty run, the folded table).
    expect(unfolded.indexOf({ kind: 'pasid', bdf: '00:02.0', pasid: 9000 * 64 + 3 })).toBe(at + 2);
    expect(unfolded.indexOf({ kind: 'pasid', bdf: '00:02.0', pasid: 9001 * 64 })).toBe(at + 5);
  });

  it('agrees row by row with indexOf, with gaps, folds and several devices', async () => {
    const base = await fixture();
    const s: Scenario = {
      ...base,
      devices: [...base.devices, { ...base.devices[0]!, bdf: '00:02.1', devfn: 0x11 }],
      memory: [...base.memory, { addr: 0x2220n, qwords: [0x3001n, 0n, 0n, 0n] }],
    };
    const mem = currentMemory(s);
    for (const fold of [{}, { [tableFoldKey('00:02.0', 0)]: true }, { 'dev:00:02.0': true }]) {
      const rows = structureRows(s, mem, { fold });
      const all = buildStructureRows(s, mem, { fold });
      expect(all).toHaveLength(rows.length);
      all.forEach((row, i) => {
        if ('ref' in row) expect(rows.indexOf(row.ref)).toBe(i);
      });
      expect(new Set(all.map((r) => r.key)).size).toBe(all.length);
    }
    // Entries without a row of their own lead to the row that holds them.
    const rows = structureRows(s, mem, { fold: {} });
    expect(rows.at(rows.indexOf({ kind: 'dir', bdf: '00:02.0', index: 50 }))?.key).toBe(
      'dirgap:00:02.0:1',
    );
    expect(rows.at(rows.indexOf({ kind: 'pasid', bdf: '00:02.0', pasid: 3 }))?.key).toBe(
      'pgap:00:02.0:1',
    );
    const folded = structureRows(s, mem, { fold: { 'dev:00:02.0': true } });
    expect(folded.at(folded.indexOf({ kind: 'pasid', bdf: '00:02.0', pasid: 5 }))?.key).toBe(
      'device:00:02.0',
    );
    expect(rows.indexOf({ kind: 'root', bdf: '00:09.0' })).toBe(-1);
  });

  it('stays fast with a full 16,384-entry directory and 10^5 present PASIDs', () => {
    const dirBase = 0x100_0000n;
    const tableBase = 0x200_0000n;
    const tables = Math.ceil(100_000 / 64);
    const dir: bigint[] = [];
    for (let i = 0; i < 16384; i++)
      dir.push(i < tables ? (tableBase + BigInt(i) * 0x1000n) | 1n : 0n);
    const memory: MemoryBlock[] = [
      { addr: 0x1000n, qwords: [0x2001n, 0n] },
      { addr: 0x2200n, qwords: [dirBase | (7n << 9n) | 1n, 0n, 0n, 0n] },
      { addr: dirBase, qwords: dir },
    ];
    let present = 0;
    for (let t = 0; t < tables; t++) {
      const words: bigint[] = [];
      for (let slot = 0; slot < 64; slot++) {
        const on = present < 100_000;
        if (on) present++;
        words.push(on ? 0x41n : 0n, on ? 5n : 0n, 0n, 0n, 0n, 0n, 0n, 0n);
      }
      memory.push({ addr: tableBase + BigInt(t) * 0x1000n, qwords: words });
    }
    const s: Scenario = {
      variant: 'seed',
      iommu: {
        scalableMode: true,
        fsts: true,
        pasidBits: 20,
        awBits: 48,
        queueWidth: 256,
        rootTableAddr: 0x1000n,
        rootScalable: true,
        dmarEnabled: true,
        guestRamBytes: 0x1_0000_0000n,
      },
      devices: [
        {
          bdf: '00:02.0',
          bus: 0,
          devfn: 0x10,
          backend: 'iommufd',
          maxPasidLog2: 20,
          pasidAddressSpaces: [],
        },
      ],
      memory,
      steps: [],
    };
    const t0 = performance.now();
    const mem = currentMemory(s);
    const rows = buildStructureRows(s, mem, { fold: {} });
    const ms = performance.now() - t0;
    // Tables fold by default at this size: one row per directory entry plus one gap.
    expect(rows.filter((r) => r.kind === 'dir')).toHaveLength(tables);
    expect(rows.filter((r) => r.kind === 'pasid')).toHaveLength(0);
    expect(rows[0]).toMatchObject({ kind: 'device', presentPasids: 100_000 });
    expect(ms).toBeLessThan(3000);
    // Unfolding one table shows its 64 entries; the scan is cached, so this is quick.
    const t1 = performance.now();
    const unfolded = buildStructureRows(s, mem, { fold: { [tableFoldKey('00:02.0', 3)]: false } });
    expect(performance.now() - t1).toBeLessThan(200);
    expect(unfolded.filter((r) => r.kind === 'pasid')).toHaveLength(64);
  });
});

describe('memory at a step', () => {
  it('applies write steps in order and shares pages with the initial memory', async () => {
    const s0 = await fixture();
    const s1 = writeWords(s0, 0x4148n, [7n], 'DID 7');
    const s2 = writeWords(s1, 0x4148n, [8n], 'DID 8');
    expect(s2.steps).toHaveLength(2); // merged into one write step
    expect(memoryAtStep(s2, 0).read(0x4148n)).toBe(3n);
    expect(memoryAtStep(s2, 2).read(0x4148n)).toBe(8n);
    expect(currentMemory(s0).read(0x4148n)).toBe(3n);
  });

  it('includes the status write of a processed wait descriptor (the model decides)', async () => {
    const s0 = await fixture();
    const wait = [0x5n | 0x20n | (0xabn << 32n), 0x8000n, 0n, 0n];
    const s: Scenario = { ...s0, steps: [...s0.steps, { op: 'invalidate', desc: wait }] };
    expect(currentMemory(s).read(0x8000n) & 0xffff_ffffn).toBe(0xabn);
  });
});

describe('entry preview', () => {
  it('explains a PGTT the configuration rejects, with the fault the model returns', async () => {
    const s0 = await fixture();
    // PASID 5 becomes second-stage (PGTT 2), which QEMU rejects with fsts on.
    const s = writeWords(s0, 0x4140n, [0x81n], 'PGTT 2');
    const mem = currentMemory(s);
    const r = resolveEntry(s, mem, { kind: 'pasid', bdf: '00:02.0', pasid: 5 });
    if (!r.ok) throw new Error(r.reason);
    const lines = previewEntry(s, mem, r.entry);
    expect(lines[0]).toEqual({
      tone: 'error',
      text: 'PGTT 2 (second-stage) is rejected when fsts is on: fault 0x5b, entry skipped.',
    });
  });

  it('says when a PASID lies beyond the accel walk of domain-selective and global invalidations', async () => {
    const s0 = await fixture();
    // Put an entry at PASID 9000: PDTS 0 limits the walk to PASIDs 0-8191.
    const withDir = writeWords(s0, 0x3000n + 140n * 8n, [0x5001n], 'dir');
    const s = writeWords(
      withDir,
      0x5000n + 40n * 64n,
      [0x41n, 4n, 0x300000n, 0n, 0n, 0n, 0n, 0n],
      'pe',
    );
    const mem = currentMemory(s);
    const r = resolveEntry(s, mem, { kind: 'pasid', bdf: '00:02.0', pasid: 140 * 64 + 40 });
    if (!r.ok) throw new Error(r.reason);
    const texts = previewEntry(s, mem, r.entry).map((l) => l.text);
    expect(texts).toContain(
      'Domain-selective and global walks stop at PASID 8191 (PDTS 0): only a PASID-selective invalidation can reach PASID 9000.',
    );
  });

  it('explains the PASID-0 check when PASID 0 is cleared', async () => {
    const s0 = await fixture();
    const s = writeWords(s0, 0x4000n, [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], 'clear PASID 0');
    const mem = currentMemory(s);
    const r = resolveEntry(s, mem, { kind: 'context', bdf: '00:02.0' });
    if (!r.ok) throw new Error(r.reason);
    const texts = previewEntry(s, mem, r.entry).map((l) => l.text);
    expect(texts.some((t) => t.startsWith('The PASID-0 check fails (0x5b'))).toBe(true);
  });
});

describe('composer words', () => {
  it('encodes each kind of descriptor from its fields', () => {
    const pc = composerWords({ ...DEFAULT_COMPOSER, granularity: 'pasid', did: 3, pasid: 0x41 });
    expect(decodePasidCacheInvDescriptor(pc)).toMatchObject({
      granularity: 1,
      did: 3,
      pasid: 0x41,
    });
    const cc = composerWords({
      ...DEFAULT_COMPOSER,
      mode: 'context-cache',
      ccGranularity: 'device',
      ccSid: 0x10,
      ccFm: 1,
    });
    expect(decodeContextCacheDescriptor(cc)).toMatchObject({
      granularity: 3,
      sourceId: 0x10,
      functionMask: 1,
    });
    const w = composerWords({ ...DEFAULT_COMPOSER, mode: 'wait', waitData: 2, waitAddr: 0x1000n });
    expect(decodeWaitDescriptor(w)).toMatchObject({
      statusWrite: true,
      statusData: 2,
      statusAddr: 0x1000n,
    });
    expect(
      composerWords({ ...DEFAULT_COMPOSER, mode: 'raw', rawWidth: 128, raw: [1n, 2n, 3n, 4n] }),
    ).toEqual([1n, 2n]);
  });

  it('a composed PASID-IOTLB descriptor round-trips through QEMU’s decoder (vtd_process_piotlb_desc)', () => {
    const page = composerWords({
      ...DEFAULT_COMPOSER,
      mode: 'piotlb',
      piotlbGranularity: 'page',
      piotlbDid: 3,
      piotlbPasid: 5,
      piotlbAddr: 0x7000n,
      piotlbAm: 2,
      piotlbIh: true,
    });
    expect(page).toEqual([0x0000_0005_0003_0036n, 0x7042n, 0n, 0n]);
    expect(decodePiotlb(page as [bigint, bigint, bigint, bigint])).toEqual({
      did: 3,
      pasid: 5,
      addr: 0x7000n,
      npages: 4n,
      flags: 1,
    });
    // All of the PASID: QEMU ignores the address fields, so the form writes them as zero.
    const all = composerWords({
      ...DEFAULT_COMPOSER,
      mode: 'piotlb',
      piotlbGranularity: 'pasid',
      piotlbDid: 7,
      piotlbPasid: 0xfffff,
      piotlbAddr: 0x7000n,
      piotlbAm: 2,
      piotlbIh: true,
    });
    expect(all).toEqual([0x000f_ffff_0007_0026n, 0n, 0n, 0n]);
    expect(decodePiotlb(all as [bigint, bigint, bigint, bigint])).toEqual({
      did: 7,
      pasid: 0xfffff,
      addr: 0n,
      npages: 0xffff_ffff_ffff_ffffn,
      flags: 0,
    });
  });
});

// The structure browser's rows: every device's root entry → context entry → PASID directory → PASID
// tables → entries, flattened for a virtualised list. Runs of empty (all-zero) directory entries and
// PASID entries collapse into one row each, tables can be folded, so a 16,384-entry directory or
// 10^5 present PASIDs stay a few thousand rows at most until the user unfolds them.

import type { DeviceConfig, Scenario } from '../model/index.ts';
import type { MemoryImage } from './memoryImage.ts';
import {
  devicePath,
  dirEntryPresent,
  summarisePasidEntry,
  type EntryRef,
  type PasidSummary,
} from './structures.ts';

const PAGE_MASK = ~0xfffn;

export type CacheMark = 'cached' | 'stale';

interface RowBase {
  readonly key: string;
  readonly depth: number;
  readonly bdf: string;
}

export type StructureRow =
  | (RowBase & {
      readonly kind: 'device';
      readonly device: DeviceConfig;
      readonly folded: boolean;
      readonly presentPasids: number;
    })
  | (RowBase & {
      readonly kind: 'root';
      readonly ref: EntryRef;
      readonly addr: bigint;
      readonly present: boolean;
      readonly half: 0 | 1;
      readonly sharedWith: readonly string[];
    })
  | (RowBase & {
      readonly kind: 'context';
      readonly ref: EntryRef;
      readonly addr: bigint;
      readonly present: boolean;
      readonly pdts: number;
    })
  | (RowBase & {
      readonly kind: 'directory';
      readonly addr: bigint;
      readonly entries: number;
      readonly presentEntries: number;
      readonly sharedWith: readonly string[];
    })
  | (RowBase & {
      readonly kind: 'dir-gap';
      /** Directory indices [from, to], all zero. */
      readonly from: number;
      readonly to: number;
    })
  | (RowBase & {
      readonly kind: 'dir';
      readonly ref: EntryRef;
      readonly index: number;
      readonly addr: bigint;
      readonly present: boolean;
      readonly table: bigint;
      readonly presentPasids: number;
      readonly folded: boolean;
      readonly sharedWith: readonly string[];
    })
  | (RowBase & {
      readonly kind: 'pasid-gap';
      /** PASIDs [from, to], all-zero entries. */
      readonly from: number;
      readonly to: number;
    })
  | (RowBase & {
      readonly kind: 'pasid';
      readonly ref: EntryRef;
      readonly pasid: number;
      readonly addr: bigint;
      readonly summary: PasidSummary;
      readonly mark: CacheMark | undefined;
    })
  | (RowBase & { readonly kind: 'note'; readonly text: string });

export type FoldState = Readonly<Record<string, boolean>>;

export function deviceFoldKey(bdf: string): string {
  return `dev:${bdf}`;
}
export function tableFoldKey(bdf: string, dirIndex: number): string {
  return `tbl:${bdf}:${dirIndex}`;
}

export interface TreeOptions {
  readonly fold: FoldState;
  /** Tables are unfolded by default only when the whole scenario has at most this many entries. */
  readonly autoUnfoldLimit?: number;
  /** Per device bdf, per PASID: whether a cache holds it and whether that copy is stale. */
  readonly marks?: ReadonlyMap<string, ReadonlyMap<number, CacheMark>>;
}

interface DirScan {
  readonly index: number;
  readonly addr: bigint;
  readonly word: bigint;
  readonly present: boolean;
  readonly table: bigint;
  readonly entries: readonly { pasid: number; addr: bigint; summary: PasidSummary }[];
  readonly presentPasids: number;
}

interface DeviceScan {
  readonly device: DeviceConfig;
  readonly path: ReturnType<typeof devicePath>;
  readonly dirs: readonly DirScan[];
  readonly presentPasids: number;
}

interface TableScan {
  readonly slots: readonly { readonly slot: number; readonly summary: PasidSummary }[];
  readonly present: number;
}

const EMPTY_TABLE: TableScan = { slots: [], present: 0 };

// A PASID table is one 4 KiB page. Guest memory pages are copy-on-write, so a page object that is
// still the same object holds the same words: its scan is reused, and an edit rescans one table.
const tableCache = new WeakMap<Uint32Array, TableScan>();

function scanTable(mem: MemoryImage, table: bigint): TableScan {
  const page = mem.guest.pageAt(Number(table >> 12n));
  if (!page) return EMPTY_TABLE;
  const hit = tableCache.get(page);
  if (hit) return hit;
  const slots: { slot: number; summary: PasidSummary }[] = [];
  let present = 0;
  for (let slot = 0; slot < 64; slot++) {
    // 16 32-bit halves per entry; most slots are empty.
    let nonZero = false;
    for (let k = 0; k < 16 && !nonZero; k++) nonZero = (page[slot * 16 + k] ?? 0) !== 0;
    if (!nonZero) continue;
    const summary = summarisePasidEntry(mem.readWords(table + BigInt(slot * 64), 8));
    if (summary.present) present++;
    slots.push({ slot, summary });
  }
  const scan = { slots, present };
  tableCache.set(page, scan);
  return scan;
}

// Scans are cached per (memory image, device) so that folding and unfolding never re-reads memory.
const scanCache = new WeakMap<MemoryImage, Map<string, DeviceScan>>();

function scanDevice(mem: MemoryImage, scenario: Scenario, device: DeviceConfig): DeviceScan {
  let perImage = scanCache.get(mem);
  if (!perImage) {
    perImage = new Map();
    scanCache.set(mem, perImage);
  }
  const cacheKey = `${device.bdf}|${scenario.iommu.rootTableAddr}|${scenario.iommu.awBits}`;
  const hit = perImage.get(cacheKey);
  if (hit && hit.device === device) return hit;

  const path = devicePath(mem, scenario.iommu, device);
  const dirs: DirScan[] = [];
  let presentPasids = 0;
  if (path.dirAddr !== undefined) {
    for (let index = 0; index < path.dirEntries; index++) {
      const addr = path.dirAddr + BigInt(index * 8);
      const word = mem.read(addr);
      if (word === 0n) continue;
      const present = dirEntryPresent(word);
      const table = word & PAGE_MASK;
      const tableScan = scanTable(mem, table);
      const entries = tableScan.slots.map((x) => ({
        pasid: index * 64 + x.slot,
        addr: table + BigInt(x.slot * 64),
        summary: x.summary,
      }));
      const tablePresent = tableScan.present;
      if (present) presentPasids += tablePresent;
      dirs.push({ index, addr, word, present, table, entries, presentPasids: tablePresent });
    }
  }
  const scan: DeviceScan = { device, path, dirs, presentPasids };
  perImage.set(cacheKey, scan);
  return scan;
}

export function buildStructureRows(
  scenario: Scenario,
  mem: MemoryImage,
  options: TreeOptions,
): StructureRow[] {
  const scans = scenario.devices.map((d) => scanDevice(mem, scenario, d));
  const totalEntries = scans.reduce(
    (n, s) => n + s.dirs.reduce((m, d) => m + d.entries.length, 0),
    0,
  );
  const autoUnfold = totalEntries <= (options.autoUnfoldLimit ?? 512);

  // Who shares what: root entries (same bus), directories and tables pointed at by several devices.
  const byDir = new Map<bigint, string[]>();
  const byTable = new Map<bigint, string[]>();
  const byBus = new Map<number, string[]>();
  for (const s of scans) {
    push(byBus, s.device.bus, s.device.bdf);
    if (s.path.dirAddr !== undefined) push(byDir, s.path.dirAddr, s.device.bdf);
    for (const d of s.dirs)
      if (d.table !== 0n) push(byTable, d.table, `${s.device.bdf} dir ${d.index}`);
  }
  const others = <K>(m: Map<K, string[]>, k: K, self: string): string[] =>
    (m.get(k) ?? []).filter((x) => x !== self);

  const rows: StructureRow[] = [];
  for (const s of scans) {
    const { device, path } = s;
    const bdf = device.bdf;
    const devFolded = options.fold[deviceFoldKey(bdf)] ?? false;
    rows.push({
      kind: 'device',
      key: `device:${bdf}`,
      depth: 0,
      bdf,
      device,
      folded: devFolded,
      presentPasids: s.presentPasids,
    });
    if (devFolded) continue;
    rows.push({
      kind: 'root',
      key: `root:${bdf}`,
      depth: 1,
      bdf,
      ref: { kind: 'root', bdf },
      addr: path.rootAddr,
      present: path.rootPresent,
      half: path.rootHalf,
      sharedWith: others(byBus, device.bus, bdf),
    });
    if (path.contextAddr === undefined) {
      rows.push(note(bdf, 2, 'No context table: the root entry for this bus is empty.'));
      continue;
    }
    rows.push({
      kind: 'context',
      key: `context:${bdf}`,
      depth: 2,
      bdf,
      ref: { kind: 'context', bdf },
      addr: path.contextAddr,
      present: path.contextPresent,
      pdts: path.pdts,
    });
    if (path.dirAddr === undefined) {
      rows.push(note(bdf, 3, 'No PASID directory: the context entry is empty.'));
      continue;
    }
    rows.push({
      kind: 'directory',
      key: `directory:${bdf}`,
      depth: 3,
      bdf,
      addr: path.dirAddr,
      entries: path.dirEntries,
      presentEntries: s.dirs.filter((d) => d.present).length,
      sharedWith: others(byDir, path.dirAddr, bdf),
    });
    let next = 0;
    for (const d of s.dirs) {
      if (d.index > next) rows.push(dirGap(bdf, next, d.index - 1));
      next = d.index + 1;
      const tblKey = tableFoldKey(bdf, d.index);
      const folded = options.fold[tblKey] ?? !autoUnfold;
      rows.push({
        kind: 'dir',
        key: `dir:${bdf}:${d.index}`,
        depth: 4,
        bdf,
        ref: { kind: 'dir', bdf, index: d.index },
        index: d.index,
        addr: d.addr,
        present: d.present,
        table: d.table,
        presentPasids: d.presentPasids,
        folded,
        sharedWith: others(byTable, d.table, `${bdf} dir ${d.index}`),
      });
      if (folded) continue;
      const marks = options.marks?.get(bdf);
      let nextPasid = d.index * 64;
      for (const e of d.entries) {
        if (e.pasid > nextPasid) rows.push(pasidGap(bdf, nextPasid, e.pasid - 1));
        nextPasid = e.pasid + 1;
        rows.push({
          kind: 'pasid',
          key: `pasid:${bdf}:${e.pasid}`,
          depth: 5,
          bdf,
          ref: { kind: 'pasid', bdf, pasid: e.pasid },
          pasid: e.pasid,
          addr: e.addr,
          summary: e.summary,
          mark: marks?.get(e.pasid),
        });
      }
      const end = d.index * 64 + 63;
      if (nextPasid <= end) rows.push(pasidGap(bdf, nextPasid, end));
    }
    if (next < path.dirEntries) rows.push(dirGap(bdf, next, path.dirEntries - 1));
  }
  return rows;
}

function push<K>(m: Map<K, string[]>, k: K, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function note(bdf: string, depth: number, text: string): StructureRow {
  return { kind: 'note', key: `note:${bdf}:${depth}`, depth, bdf, text };
}

function dirGap(bdf: string, from: number, to: number): StructureRow {
  return { kind: 'dir-gap', key: `dirgap:${bdf}:${from}`, depth: 4, bdf, from, to };
}

function pasidGap(bdf: string, from: number, to: number): StructureRow {
  return { kind: 'pasid-gap', key: `pgap:${bdf}:${from}`, depth: 5, bdf, from, to };
}

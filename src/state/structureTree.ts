// The structure browser's rows: every device's root entry → context entry → PASID directory → PASID
// tables → entries, flattened for a virtualised list. Runs of empty (all-zero) directory entries and
// PASID entries collapse into one row each, and tables fold.
//
// Rows are made on demand. `structureRows` scans each distinct directory once (its words read as
// 32-bit halves, no bigint per entry) and each table page once (cached per page: guest memory is
// copy-on-write, so an unchanged page is the same object), then answers `length`, `at(i)` and
// `indexOf(ref)` by arithmetic over those scans; a row object exists only once the tree shows it.
// Sharing (several entries or devices pointing at one table or directory) is indexed once per
// directory, so 16,384 entries sharing one table stay linear.

import {
  PASID_DIR_ENTRY,
  PASID_ENTRY,
  fieldByName,
  wordsFromHalves,
  type BitField,
  type DeviceConfig,
  type Scenario,
} from '../model/core.ts';
import type { MemoryImage } from './memoryImage.ts';
import {
  devicePath,
  summarisePasidEntry,
  type DevicePath,
  type EntryRef,
  type PasidSummary,
} from './structures.ts';

const PAGE_MASK = ~0xfffn;
const DIR_PRESENT = fieldByName(PASID_DIR_ENTRY, 'present');
const PE_PRESENT = fieldByName(PASID_ENTRY, 'present');
/** Directory entries per 4 KiB page. */
const DIR_PER_PAGE = 512;

export type CacheMark = 'cached' | 'stale';

/** Who else points at the same structure. */
export interface SharedWith {
  /** How many others: devices (root entry, directory) or directory entries of any device (table). */
  readonly count: number;
  /** The first of them by name, at most SHARED_NAMES. */
  readonly names: readonly string[];
}

export const SHARED_NAMES = 4;
const NOT_SHARED: SharedWith = { count: 0, names: [] };

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
      readonly sharedWith: SharedWith;
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
      readonly sharedWith: SharedWith;
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
      readonly sharedWith: SharedWith;
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
  /** Whether a cache holds (device, PASID), and whether that copy is stale (for the badges). */
  readonly markOf?: (bdf: string, pasid: number) => CacheMark | undefined;
}

/** The rows, made when asked for: what a virtualised list needs. */
export interface StructureRows {
  readonly length: number;
  /** Row i (the same object on every call for one StructureRows). */
  at(index: number): StructureRow | undefined;
  /** The row of an entry; for an entry without a row of its own, the row that holds it (its
   * folded device or table, or the empty range it lies in); -1 for an unknown device. */
  indexOf(ref: EntryRef): number;
}

// ---------------------------------------------------------------------------------------------
// Scans

/** A one-bit field of the 64-bit word whose halves start at page[at]. */
function bitAt(page: Uint32Array, at: number, f: BitField): boolean {
  const half = page[at + 2 * f.word + (f.lo >= 32 ? 1 : 0)] ?? 0;
  return ((half >>> (f.lo % 32)) & 1) === 1;
}

/** One PASID table (a 4 KiB page): what its rows need. The present count is read at once (one
 * word per slot); the rest when a row needs it. */
interface TableScan {
  readonly page: Uint32Array | undefined;
  /** Entries with the present bit set. */
  readonly present: number;
  /** Slots holding any non-zero word, ascending (made on first use). */
  listed?: readonly number[];
  /** Rows when unfolded, relative to the table: entries and runs of empty slots (made on first use). */
  layout?: readonly TableItem[];
  summaries?: Map<number, PasidSummary>;
}

type TableItem = { readonly slot: number } | { readonly from: number; readonly to: number };

const EMPTY_TABLE: TableScan = { page: undefined, present: 0, listed: [], layout: [] };
const tableCache = new WeakMap<Uint32Array, TableScan>();

/** Where the present bit sits in an entry's 32-bit halves (read 64 times per table). */
const PE_PRESENT_HALF = 2 * PE_PRESENT.word + (PE_PRESENT.lo >= 32 ? 1 : 0);
const PE_PRESENT_SHIFT = PE_PRESENT.lo % 32;

function scanTable(page: Uint32Array | undefined): TableScan {
  if (!page) return EMPTY_TABLE;
  const hit = tableCache.get(page);
  if (hit) return hit;
  let present = 0;
  for (let at = PE_PRESENT_HALF; at < 64 * 16; at += 16) {
    present += ((page[at] ?? 0) >>> PE_PRESENT_SHIFT) & 1;
  }
  const scan: TableScan = { page, present };
  tableCache.set(page, scan);
  return scan;
}

function listedSlots(t: TableScan): readonly number[] {
  if (t.listed) return t.listed;
  const listed: number[] = [];
  const page = t.page;
  if (page) {
    for (let slot = 0; slot < 64; slot++) {
      const at = slot * 16;
      for (let k = 0; k < 16; k++) {
        if (page[at + k] !== 0) {
          listed.push(slot);
          break;
        }
      }
    }
  }
  t.listed = listed;
  return listed;
}

function tableLayout(t: TableScan): readonly TableItem[] {
  if (t.layout) return t.layout;
  const items: TableItem[] = [];
  let next = 0;
  for (const slot of listedSlots(t)) {
    if (slot > next) items.push({ from: next, to: slot - 1 });
    items.push({ slot });
    next = slot + 1;
  }
  if (next <= 63) items.push({ from: next, to: 63 });
  t.layout = items;
  return items;
}

function slotSummary(t: TableScan, slot: number): PasidSummary {
  t.summaries ??= new Map();
  let s = t.summaries.get(slot);
  if (!s) {
    s = summarisePasidEntry(t.page ? wordsFromHalves(t.page, slot * 16) : []);
    t.summaries.set(slot, s);
  }
  return s;
}

/** One PASID directory (its non-zero entries) and what its rows need. */
interface DirScan {
  /** Directory entries the context entry declares. */
  readonly entries: number;
  /** Non-zero entries: their indices (ascending) and words as halves. */
  readonly count: number;
  readonly index: Int32Array;
  readonly lo: Uint32Array;
  readonly hi: Uint32Array;
  readonly tables: readonly TableScan[];
  /** Row of each non-zero entry among the directory's rows with every table folded. */
  readonly itemStart: Int32Array;
  /** The directory's rows with every table folded (entries and runs of empty entries). */
  readonly items: number;
  readonly presentEntries: number;
  readonly presentPasids: number;
  /** Table page number → positions k of the entries pointing at it (made on first use). */
  tableRefs?: Map<number, number[]>;
}

function tablePageOf(scan: DirScan, k: number): number {
  return (scan.hi[k] ?? 0) * 0x100000 + ((scan.lo[k] ?? 0) >>> 12);
}

function tableAddrOf(scan: DirScan, k: number): bigint {
  return ((BigInt(scan.hi[k] ?? 0) << 32n) | BigInt(scan.lo[k] ?? 0)) & PAGE_MASK;
}

function tableRefs(scan: DirScan): Map<number, number[]> {
  if (scan.tableRefs) return scan.tableRefs;
  const refs = new Map<number, number[]>();
  for (let k = 0; k < scan.count; k++) {
    const page = tablePageOf(scan, k);
    if (page === 0) continue; // no table pointer: nothing to share
    const list = refs.get(page);
    if (list) list.push(k);
    else refs.set(page, [k]);
  }
  scan.tableRefs = refs;
  return refs;
}

// Scans are cached per memory image (one per scenario and step), then per directory, so folding and
// unfolding never re-read memory and devices sharing a directory share its scan.
const dirCache = new WeakMap<MemoryImage, Map<string, DirScan>>();

function scanDir(mem: MemoryImage, dirAddr: bigint, entries: number): DirScan {
  const pieces = scanDirPieces(mem, dirAddr, entries);
  for (;;) {
    const next = pieces.next();
    if (next.done) return next.value;
  }
}

/** Tables scanned per piece of scanDirPieces (a piece takes a few milliseconds). */
const SCAN_PIECE_TABLES = 2048;

/** scanDir as pieces (a yield every SCAN_PIECE_TABLES tables), for warming in slices. */
function* scanDirPieces(
  mem: MemoryImage,
  dirAddr: bigint,
  entries: number,
): Generator<void, DirScan> {
  let perImage = dirCache.get(mem);
  if (!perImage) {
    perImage = new Map();
    dirCache.set(mem, perImage);
  }
  const key = `${dirAddr}:${entries}`;
  const hit = perImage.get(key);
  if (hit) return hit;

  const first = Number(dirAddr >> 12n);
  const index: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let p = 0; p * DIR_PER_PAGE < entries; p++) {
    const page = mem.guest.pageAt(first + p);
    if (!page) continue;
    const end = Math.min(DIR_PER_PAGE, entries - p * DIR_PER_PAGE);
    for (let j = 0; j < end; j++) {
      const l = page[2 * j] ?? 0;
      const h = page[2 * j + 1] ?? 0;
      if (l === 0 && h === 0) continue;
      index.push(p * DIR_PER_PAGE + j);
      lo.push(l);
      hi.push(h);
    }
  }
  const count = index.length;
  const tables = new Array<TableScan>(count);
  const itemStart = new Int32Array(count);
  let presentEntries = 0;
  let presentPasids = 0;
  let rows = 0;
  let next = 0;
  const word = new Uint32Array(2);
  for (let k = 0; k < count; k++) {
    const i = index[k] ?? 0;
    if (i > next) rows++; // the run of empty entries before it
    itemStart[k] = rows++;
    next = i + 1;
    word[0] = lo[k] ?? 0;
    word[1] = hi[k] ?? 0;
    const table = scanTable(mem.guest.pageAt((word[1] ?? 0) * 0x100000 + ((word[0] ?? 0) >>> 12)));
    tables[k] = table;
    if ((k + 1) % SCAN_PIECE_TABLES === 0) yield;
    if (bitAt(word, 0, DIR_PRESENT)) {
      presentEntries++;
      presentPasids += table.present;
    }
  }
  if (next < entries) rows++;
  const scan: DirScan = {
    entries,
    count,
    index: Int32Array.from(index),
    lo: Uint32Array.from(lo),
    hi: Uint32Array.from(hi),
    tables,
    itemStart,
    items: rows,
    presentEntries,
    presentPasids,
  };
  perImage.set(key, scan);
  return scan;
}

/** Whether the directories' tables hold at most `limit` non-zero PASID entries in all (stops
 * counting past the limit, so a large scenario reads only the first tables' slots). */
function listedAtMost(scans: readonly (DirScan | undefined)[], limit: number): boolean {
  let total = 0;
  for (const scan of scans) {
    for (const table of scan?.tables ?? []) {
      total += listedSlots(table).length;
      if (total > limit) return false;
    }
  }
  return true;
}

/** Index of `value` in an ascending array, or -1. */
function search(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] ?? 0;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Largest j with key(j) ≤ value (keys ascending), or -1. */
function floorIndex(n: number, key: (j: number) => number, value: number): number {
  let lo = 0;
  let hi = n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (key(mid) <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Rows

/** One device's rows: a few header rows, then its directory's rows with the unfolded tables. */
interface DeviceBlock {
  readonly device: DeviceConfig;
  readonly path: DevicePath;
  readonly scan: DirScan | undefined;
  readonly folded: boolean;
  /** Absolute row of the device row. */
  readonly start: number;
  readonly header: readonly StructureRow[];
  /** Absolute row of the directory's first row. */
  readonly region: number;
  /** Unfolded tables: positions k (ascending), their row counts, and rows of earlier ones. */
  readonly expK: Int32Array;
  readonly expRows: Int32Array;
  readonly expBefore: Float64Array;
  readonly length: number;
}

function sharedAmong(list: readonly string[] | undefined, self: string): SharedWith {
  if (!list || list.length < 2) return NOT_SHARED;
  const names: string[] = [];
  for (const x of list) {
    if (x !== self && names.length < SHARED_NAMES) names.push(x);
  }
  return { count: list.length - 1, names };
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

/**
 * The directory scans `structureRows` will need for this scenario, one device at a time (a piece
 * each, for `workInSlices`): a 16,384-entry directory with a table behind every entry takes tens of
 * milliseconds to scan.
 */
export function* warmStructureScans(scenario: Scenario, mem: MemoryImage): Generator<void> {
  for (const device of scenario.devices) {
    const path = devicePath(mem, scenario.iommu, device);
    if (path.dirAddr !== undefined) yield* scanDirPieces(mem, path.dirAddr, path.dirEntries);
    yield;
  }
}

export function structureRows(
  scenario: Scenario,
  mem: MemoryImage,
  options: TreeOptions,
): StructureRows {
  const paths = scenario.devices.map((d) => devicePath(mem, scenario.iommu, d));
  const scans = paths.map((p) =>
    p.dirAddr === undefined ? undefined : scanDir(mem, p.dirAddr, p.dirEntries),
  );
  const autoUnfold = listedAtMost(scans, options.autoUnfoldLimit ?? 512);

  // Who shares a root entry (same bus) or a directory: a handful of devices, indexed once.
  const byBus = new Map<number, string[]>();
  const byDir = new Map<bigint, string[]>();
  scenario.devices.forEach((d, i) => {
    push(byBus, d.bus, d.bdf);
    const dirAddr = paths[i]?.dirAddr;
    if (dirAddr !== undefined) push(byDir, dirAddr, d.bdf);
  });

  const blocks: DeviceBlock[] = [];
  let start = 0;
  scenario.devices.forEach((device, i) => {
    const path = paths[i] ?? devicePath(mem, scenario.iommu, device);
    const scan = scans[i];
    const bdf = device.bdf;
    const folded = options.fold[deviceFoldKey(bdf)] ?? false;
    const header: StructureRow[] = [
      {
        kind: 'device',
        key: `device:${bdf}`,
        depth: 0,
        bdf,
        device,
        folded,
        presentPasids: scan?.presentPasids ?? 0,
      },
    ];
    let withDir: DirScan | undefined;
    if (!folded) {
      header.push({
        kind: 'root',
        key: `root:${bdf}`,
        depth: 1,
        bdf,
        ref: { kind: 'root', bdf },
        addr: path.rootAddr,
        present: path.rootPresent,
        half: path.rootHalf,
        sharedWith: sharedAmong(byBus.get(device.bus), bdf),
      });
      if (path.contextAddr === undefined) {
        header.push(note(bdf, 2, 'No context table: the root entry for this bus is empty.'));
      } else {
        header.push({
          kind: 'context',
          key: `context:${bdf}`,
          depth: 2,
          bdf,
          ref: { kind: 'context', bdf },
          addr: path.contextAddr,
          present: path.contextPresent,
          pdts: path.pdts,
        });
        if (path.dirAddr === undefined || !scan) {
          header.push(note(bdf, 3, 'No PASID directory: the context entry is empty.'));
        } else {
          header.push({
            kind: 'directory',
            key: `directory:${bdf}`,
            depth: 3,
            bdf,
            addr: path.dirAddr,
            entries: path.dirEntries,
            presentEntries: scan.presentEntries,
            sharedWith: sharedAmong(byDir.get(path.dirAddr), bdf),
          });
          withDir = scan;
        }
      }
    }
    // Which tables are unfolded: all but the folded ones in a small scenario, else the ones the
    // person unfolded (read off the fold state, never by visiting every entry).
    const exp: number[] = [];
    if (withDir) {
      if (autoUnfold) {
        for (let k = 0; k < withDir.count; k++) {
          if (options.fold[tableFoldKey(bdf, withDir.index[k] ?? 0)] !== true) exp.push(k);
        }
      } else {
        const prefix = tableFoldKey(bdf, 0).slice(0, -1);
        for (const [key, value] of Object.entries(options.fold)) {
          if (value || !key.startsWith(prefix)) continue;
          const k = search(withDir.index, Number(key.slice(prefix.length)));
          if (k >= 0) exp.push(k);
        }
        exp.sort((a, b) => a - b);
      }
    }
    const expK = Int32Array.from(exp);
    const expRows = new Int32Array(exp.length);
    const expBefore = new Float64Array(exp.length);
    let extra = 0;
    exp.forEach((k, j) => {
      expBefore[j] = extra;
      const rows = withDir ? tableLayout(withDir.tables[k] ?? EMPTY_TABLE).length : 0;
      expRows[j] = rows;
      extra += rows;
    });
    const length = header.length + (withDir ? withDir.items + extra : 0);
    blocks.push({
      device,
      path,
      scan: withDir,
      folded,
      start,
      header,
      region: start + header.length,
      expK,
      expRows,
      expBefore,
      length,
    });
    start += length;
  });
  const total = start;
  const blockByBdf = new Map(blocks.map((b) => [b.device.bdf, b]));

  /** Entries of any device's directory pointing at the table of (b, k), except that entry. */
  const tableSharing = (b: DeviceBlock, k: number): SharedWith => {
    if (!b.scan) return NOT_SHARED;
    const page = tablePageOf(b.scan, k);
    if (page === 0) return NOT_SHARED;
    const selfIndex = b.scan.index[k] ?? 0;
    let count = -1; // the entry itself is among them
    const names: string[] = [];
    scenario.devices.forEach((d, i) => {
      const s = scans[i];
      const refs = s ? tableRefs(s).get(page) : undefined;
      if (!s || !refs) return;
      count += refs.length;
      for (const r of refs) {
        if (names.length >= SHARED_NAMES) break;
        const index = s.index[r] ?? 0;
        if (d.bdf !== b.device.bdf || index !== selfIndex) names.push(`${d.bdf} dir ${index}`);
      }
    });
    return count > 0 ? { count, names } : NOT_SHARED;
  };

  /** Row of directory entry k relative to the block's region, and the expansion of k or -1. */
  const dirRow = (b: DeviceBlock, k: number): { rel: number; j: number } => {
    const scan = b.scan;
    if (!scan) return { rel: -1, j: -1 };
    const j = floorIndex(b.expK.length, (x) => b.expK[x] ?? 0, k);
    const before =
      j < 0 ? 0 : (b.expBefore[j] ?? 0) + ((b.expK[j] ?? 0) < k ? (b.expRows[j] ?? 0) : 0);
    return { rel: (scan.itemStart[k] ?? 0) + before, j: j >= 0 && b.expK[j] === k ? j : -1 };
  };

  const makeDirRow = (
    b: DeviceBlock,
    scan: DirScan,
    k: number,
    unfolded: boolean,
  ): StructureRow => {
    const bdf = b.device.bdf;
    const index = scan.index[k] ?? 0;
    const words = new Uint32Array([scan.lo[k] ?? 0, scan.hi[k] ?? 0]);
    return {
      kind: 'dir',
      key: `dir:${bdf}:${index}`,
      depth: 4,
      bdf,
      ref: { kind: 'dir', bdf, index },
      index,
      addr: (b.path.dirAddr ?? 0n) + BigInt(index * 8),
      present: bitAt(words, 0, DIR_PRESENT),
      table: tableAddrOf(scan, k),
      presentPasids: scan.tables[k]?.present ?? 0,
      folded: !unfolded,
      sharedWith: tableSharing(b, k),
    };
  };

  const makeTableRow = (b: DeviceBlock, scan: DirScan, k: number, o: number): StructureRow => {
    const bdf = b.device.bdf;
    const index = scan.index[k] ?? 0;
    const table = scan.tables[k] ?? EMPTY_TABLE;
    const item = tableLayout(table)[o] ?? { from: 0, to: 63 };
    if (!('slot' in item)) return pasidGap(bdf, index * 64 + item.from, index * 64 + item.to);
    const pasid = index * 64 + item.slot;
    return {
      kind: 'pasid',
      key: `pasid:${bdf}:${pasid}`,
      depth: 5,
      bdf,
      ref: { kind: 'pasid', bdf, pasid },
      pasid,
      addr: tableAddrOf(scan, k) + BigInt(item.slot * 64),
      summary: slotSummary(table, item.slot),
      mark: options.markOf?.(bdf, pasid),
    };
  };

  const make = (i: number): StructureRow | undefined => {
    const bi = floorIndex(blocks.length, (x) => blocks[x]?.start ?? 0, i);
    const b = blocks[bi];
    if (!b) return undefined;
    const h = i - b.start;
    if (h < b.header.length) return b.header[h];
    const scan = b.scan;
    if (!scan) return undefined;
    const p = i - b.region;
    // The last unfolded table whose directory row is at or before p.
    const j = floorIndex(
      b.expK.length,
      (x) => (scan.itemStart[b.expK[x] ?? 0] ?? 0) + (b.expBefore[x] ?? 0),
      p,
    );
    let q = p;
    if (j >= 0) {
      const k = b.expK[j] ?? 0;
      const at = (scan.itemStart[k] ?? 0) + (b.expBefore[j] ?? 0);
      const rows = b.expRows[j] ?? 0;
      if (p > at && p <= at + rows) return makeTableRow(b, scan, k, p - at - 1);
      q = p - (b.expBefore[j] ?? 0) - (p > at ? rows : 0);
    }
    // Item q of the directory with every table folded: an entry, or a run of empty entries.
    const k = floorIndex(scan.count, (x) => scan.itemStart[x] ?? 0, q);
    if (k >= 0 && scan.itemStart[k] === q) {
      return makeDirRow(b, scan, k, j >= 0 && search(b.expK, k) >= 0);
    }
    const from = k >= 0 ? (scan.index[k] ?? 0) + 1 : 0;
    const to = k + 1 < scan.count ? (scan.index[k + 1] ?? 0) - 1 : scan.entries - 1;
    return dirGap(b.device.bdf, from, to);
  };

  const made = new Map<number, StructureRow>();
  return {
    length: total,
    at(i) {
      if (!Number.isInteger(i) || i < 0 || i >= total) return undefined;
      let row = made.get(i);
      if (!row) {
        row = make(i);
        if (row) made.set(i, row);
      }
      return row;
    },
    indexOf(ref) {
      const b = blockByBdf.get(ref.bdf);
      if (!b) return -1;
      if (b.folded) return b.start;
      switch (ref.kind) {
        case 'root':
        case 'context': {
          const h = b.header.findIndex((r) => r.kind === ref.kind);
          return h < 0 ? b.start : b.start + h;
        }
        case 'dir':
        case 'pasid': {
          const scan = b.scan;
          if (!scan) return b.start + b.header.length - 1;
          const dirIndex = ref.kind === 'dir' ? ref.index : (ref.pasid >> 6) & 0x3fff;
          const k = search(scan.index, dirIndex);
          if (k < 0) {
            // An empty directory entry: the run of empty entries it lies in.
            const before = floorIndex(scan.count, (x) => scan.index[x] ?? 0, dirIndex);
            if (before < 0) return b.region;
            const { rel, j } = dirRow(b, before);
            return b.region + rel + 1 + (j >= 0 ? (b.expRows[j] ?? 0) : 0);
          }
          const { rel, j } = dirRow(b, k);
          if (ref.kind === 'dir' || j < 0) return b.region + rel;
          const slot = ref.pasid & 63;
          const o = tableLayout(scan.tables[k] ?? EMPTY_TABLE).findIndex((it) =>
            'slot' in it ? it.slot === slot : it.from <= slot && slot <= it.to,
          );
          return b.region + rel + 1 + Math.max(0, o);
        }
      }
    },
  };
}

/** Every row at once (tests and small scenarios; the browser uses `structureRows`). */
export function buildStructureRows(
  scenario: Scenario,
  mem: MemoryImage,
  options: TreeOptions,
): StructureRow[] {
  const rows = structureRows(scenario, mem, options);
  const out: StructureRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows.at(i);
    if (row) out.push(row);
  }
  return out;
}

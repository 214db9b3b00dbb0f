// The run's caches as the page receives them: columns in typed arrays (transferred, not copied)
// instead of an object and eight bigints per entry. What the page shows for every entry is worked
// out here, once, off the page's thread: the highlighted step's change, whether guest memory still
// holds the cached words (stale), and an order by PASID for lookups. The page then builds rows only
// for the entries it shows. The lookups (`leafLocator`, `positionOfPasid`) are shared with the page.

import {
  CONTEXT_ENTRY,
  PASID_DIR_ENTRY,
  ROOT_ENTRY,
  fieldByName,
  hawMask,
  type BitField,
  type CacheChange,
  type CacheEntryColumns,
  type CacheKind,
  type CacheState,
  type ChangeColumns,
  type ChangeKind,
  type DeviceConfig,
  type GuestMemory,
  type IommuConfig,
} from '../model/core.ts';
import {
  CacheFlag,
  type AccelCacheColumns,
  type AppCaches,
  type FocusChanges,
  type WireRun,
} from '../worker/protocol.ts';
import { hostColumnBuffers } from './hostWire.ts';

const PAGE_MASK = ~0xfffn;
const ROOT_PRESENT = fieldByName(ROOT_ENTRY, 'lowerPresent');
const CTX_PRESENT = fieldByName(CONTEXT_ENTRY, 'present');
const DIR_PRESENT = fieldByName(PASID_DIR_ENTRY, 'present');
const HALVES = 16;
/** PASIDs are 20 bits: a PASID and a list position (< 2^20) pack into one exact double. */
const PASID_SPACE = 1 << 20;
const CHANGE_KINDS: readonly ChangeKind[] = ['created', 'updated', 'removed'];

/** Where guest memory holds a leaf PASID entry: its table's page number and slot (0–63). */
export type LeafLocation =
  { readonly page: number; readonly slot: number } | { readonly missing: string };

/** A one-bit field of a 64-bit word given as halves. */
function flagOfHalves(lo: number, hi: number, f: BitField): boolean {
  return ((f.lo < 32 ? lo >>> f.lo : hi >>> (f.lo - 32)) & 1) === 1;
}

/**
 * Where guest memory holds the leaf entry of (device, PASID) now, following the root, context and
 * directory entries' present bits as QEMU's lookup does. Root and context are read once; each call
 * then costs one directory read. (Not QEMU's lookup: no bounds or type checks, so a stale check
 * can say what changed.)
 */
export function leafLocator(
  memory: GuestMemory,
  iommu: IommuConfig,
  device: Pick<DeviceConfig, 'bus' | 'devfn'>,
): (pasid: number) => LeafLocation {
  const rootBase = iommu.rootTableAddr & hawMask(iommu.awBits) & PAGE_MASK;
  const half = memory.readQword(
    rootBase + BigInt(device.bus * 16) + (device.devfn > 127 ? 8n : 0n),
  );
  if (((half >> BigInt(ROOT_PRESENT.lo)) & 1n) === 0n) {
    const missing = { missing: 'the root entry is not present any more' };
    return () => missing;
  }
  const ctx0 = memory.readQword((half & PAGE_MASK) + BigInt((device.devfn & 0x7f) * 32));
  if (((ctx0 >> BigInt(CTX_PRESENT.lo)) & 1n) === 0n) {
    const missing = { missing: 'the context entry is not present any more' };
    return () => missing;
  }
  const dirPage = Number((ctx0 & PAGE_MASK) >> 12n);
  return (pasid) => {
    const index = (pasid >> 6) & 0x3fff;
    const byte = index * 8;
    const page = memory.pageAt(dirPage + (byte >>> 12));
    const at = (byte & 0xfff) >>> 2;
    const lo = page?.[at] ?? 0;
    const hi = page?.[at + 1] ?? 0;
    if (!flagOfHalves(lo, hi, DIR_PRESENT)) {
      return { missing: `directory entry ${index} is not present any more` };
    }
    // The table's page number: bits 63:12 of the entry.
    return { page: hi * 0x100000 + (lo >>> 12), slot: pasid & 63 };
  };
}

/** Whether guest memory holds exactly these 16 halves at `where`. */
export function memoryHoldsHalves(
  memory: GuestMemory,
  where: LeafLocation,
  halves: Uint32Array,
  off: number,
): boolean {
  if ('missing' in where) return false;
  const page = memory.pageAt(where.page);
  const base = where.slot * HALVES;
  for (let k = 0; k < HALVES; k++) {
    if ((page?.[base + k] ?? 0) !== halves[off + k]) return false;
  }
  return true;
}

/** Positions 0..n-1 ordered by PASID (PASIDs are distinct within one list). */
export function positionsByPasid(pasid: Uint32Array): Uint32Array {
  const n = pasid.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (pasid[i] ?? 0) * PASID_SPACE + i;
  keys.sort();
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = (keys[i] ?? 0) % PASID_SPACE;
  return out;
}

/** The list position of the entry caching `pasid`, or -1 (binary search over `byPasid`). */
export function positionOfPasid(
  columns: { readonly pasid: Uint32Array; readonly byPasid: Uint32Array },
  pasid: number,
): number {
  let lo = 0;
  let hi = columns.byPasid.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const pos = columns.byPasid[mid] ?? 0;
    const p = columns.pasid[pos] ?? 0;
    if (p === pasid) return pos;
    if (p < pasid) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Index of `pasid` in an ascending array, or -1. */
export function indexOfSorted(sorted: Uint32Array, pasid: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = sorted[mid] ?? 0;
    if (p === pasid) return mid;
    if (p < pasid) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const NO_CHANGES: ChangeColumns = {
  length: 0,
  pasid: new Uint32Array(0),
  device: new Uint16Array(0),
  cache: new Uint8Array(0),
  kind: new Uint8Array(0),
};

export interface AccelColumnsInput {
  /** The list after the run, head first. */
  readonly entries: CacheEntryColumns;
  /** The list just before the highlighted step (undefined: no such step). */
  readonly before: CacheEntryColumns | undefined;
  /** Every change of the highlighted step. */
  readonly changes: ChangeColumns | undefined;
  /** The device's index in scenario.devices (as in `changes.device`). */
  readonly deviceIndex: number;
  readonly memory: GuestMemory;
  readonly iommu: IommuConfig;
  readonly device: Pick<DeviceConfig, 'bus' | 'devfn'>;
}

/** One device's accel list with flags, lookups and the highlighted step's removed and old entries. */
export function accelCacheColumns(input: AccelColumnsInput): AccelCacheColumns {
  const { entries, memory } = input;
  const n = entries.length;
  const changes = input.changes ?? NO_CHANGES;
  const byPasid = positionsByPasid(entries.pasid);
  const flags = new Uint8Array(n);

  // The step's last change per PASID wins (removed then created again reads as created), and
  // PASIDs keep the order of their first change.
  const last = new Map<number, number>();
  for (let i = 0; i < changes.length; i++) {
    if (changes.cache[i] !== 0 || changes.device[i] !== input.deviceIndex) continue;
    last.set(changes.pasid[i] ?? 0, changes.kind[i] ?? 0);
  }
  const removed: number[] = [];
  const touched: number[] = [];
  for (const [pasid, kind] of last) {
    const pos = positionOfPasid({ pasid: entries.pasid, byPasid }, pasid);
    if (kind === 2 && pos < 0) removed.push(pasid);
    else if (pos >= 0 && kind === 0) flags[pos] = CacheFlag.Created;
    else if (pos >= 0 && kind === 1) flags[pos] = CacheFlag.Updated;
    if (kind !== 0) touched.push(pasid);
  }
  // What an update or removal replaced: the entries as they were just before the step.
  const before = input.before;
  const beforeOf: number[] = [];
  if (before && touched.length > 0) {
    const order = positionsByPasid(before.pasid);
    touched.sort((a, b) => a - b);
    for (const pasid of touched) {
      const pos = positionOfPasid({ pasid: before.pasid, byPasid: order }, pasid);
      if (pos >= 0) beforeOf.push(pos);
    }
  }
  const beforePasid = new Uint32Array(beforeOf.length);
  const beforeHalves = new Uint32Array(HALVES * beforeOf.length);
  beforeOf.forEach((pos, i) => {
    beforePasid[i] = before?.pasid[pos] ?? 0;
    if (before)
      beforeHalves.set(before.halves.subarray(HALVES * pos, HALVES * (pos + 1)), HALVES * i);
  });

  let staleCount = 0;
  const locate = leafLocator(memory, input.iommu, input.device);
  for (let i = 0; i < n; i++) {
    if (!memoryHoldsHalves(memory, locate(entries.pasid[i] ?? 0), entries.halves, HALVES * i)) {
      flags[i] = (flags[i] ?? 0) | CacheFlag.Stale;
      staleCount++;
    }
  }
  return {
    length: n,
    pasid: entries.pasid,
    halves: entries.halves,
    byPasid,
    flags,
    staleCount,
    removed: Uint32Array.from(removed),
    before: { length: beforeOf.length, pasid: beforePasid, halves: beforeHalves },
  };
}

/** Counts and emulated detail of the highlighted step's changes. */
export function focusChanges(
  changes: ChangeColumns | undefined,
  bdfs: readonly string[],
  emulatedBefore: CacheState['emulated'] | undefined,
): FocusChanges {
  const counts: Record<CacheKind, Record<ChangeKind, number>> = {
    accel: { created: 0, updated: 0, removed: 0 },
    emulated: { created: 0, updated: 0, removed: 0 },
  };
  const emulated: CacheChange[] = [];
  const before: Record<string, Record<string, CacheState['emulated'][string][string]>> = {};
  const c = changes ?? NO_CHANGES;
  for (let i = 0; i < c.length; i++) {
    const kind = CHANGE_KINDS[c.kind[i] ?? 0] ?? 'created';
    const cache: CacheKind = c.cache[i] === 1 ? 'emulated' : 'accel';
    counts[cache][kind]++;
    if (cache !== 'emulated') continue;
    const bdf = bdfs[c.device[i] ?? 0] ?? '';
    const pasid = c.pasid[i] ?? 0;
    emulated.push({ cache, bdf, pasid, kind });
    const old = emulatedBefore?.[bdf]?.[String(pasid)];
    if (kind !== 'created' && old) (before[bdf] ??= {})[String(pasid)] = old;
  }
  return { counts, total: c.length, emulated, emulatedBefore: before };
}

/** Every distinct ArrayBuffer of a run (trace, cache and host columns), for transfer. */
export function runTransferables(run: WireRun): ArrayBuffer[] {
  const t = run.result.trace;
  const arrays: ArrayBufferView[] = [
    t.kind,
    t.fn,
    t.device,
    t.pasid,
    t.count,
    t.addr,
    t.a,
    t.b,
    t.c,
    t.fillDids,
    t.stepStart,
  ];
  for (const cols of Object.values(run.caches.accel)) {
    arrays.push(
      cols.pasid,
      cols.halves,
      cols.byPasid,
      cols.flags,
      cols.removed,
      cols.before.pasid,
      cols.before.halves,
    );
  }
  const seen = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) seen.add(a.buffer);
  for (const host of Object.values(run.caches.host)) {
    for (const b of hostColumnBuffers(host)) seen.add(b);
  }
  return [...seen];
}

/** The caches of a run as the model's CacheState (every entry as bigint words). */
export function cacheStateOf(caches: AppCaches): CacheState {
  const accel: Record<string, { pasid: number; entry: bigint[] }[]> = {};
  for (const [bdf, cols] of Object.entries(caches.accel)) {
    const list: { pasid: number; entry: bigint[] }[] = [];
    for (let i = 0; i < cols.length; i++) {
      list.push({ pasid: cols.pasid[i] ?? 0, entry: wordsOfHalves(cols.halves, HALVES * i) });
    }
    accel[bdf] = list;
  }
  return { iqe: caches.iqe, accel, emulated: caches.emulated, host: caches.host };
}

/** 8 words from 16 halves at `off`. */
export function wordsOfHalves(halves: Uint32Array, off: number): bigint[] {
  const out = new Array<bigint>(8);
  for (let w = 0; w < 8; w++) {
    out[w] = (BigInt(halves[off + 2 * w + 1] ?? 0) << 32n) | BigInt(halves[off + 2 * w] ?? 0);
  }
  return out;
}

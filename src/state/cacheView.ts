// The caches as tables of rows: an iommufd device's accel list and a device's emulated address
// spaces, with change marks and stale flags (a cached copy that no longer matches guest memory, and
// the invalidation that would fix it). `buildCacheView` reads the run's final cache columns;
// cachesAtEvent.ts builds the same tables at any trace event.

import {
  PASID_ENTRY,
  decodeFields,
  fieldByName,
  fieldDisplayValue,
  getField,
  decodePasidEntry,
  describeFault,
  type CacheEntryColumns,
  type ChangeKind,
  type DeviceConfig,
  type EmulatedCacheEntry,
  type Scenario,
  type Variant,
} from '../model/core.ts';
import {
  indexOfSorted,
  leafLocator,
  positionOfPasid,
  wordsOfHalves,
} from '../shared/cacheColumns.ts';
import { pasidLookup } from '../shared/entryLookup.ts';
import {
  CacheFlag,
  type AccelCacheColumns,
  type AppCaches,
  type AppRun,
} from '../worker/protocol.ts';
import { currentMemory, type MemoryImage } from './memoryImage.ts';
import type { CacheMark } from './structureTree.ts';

export interface StaleInfo {
  /** Why the cached copy no longer matches guest memory. */
  readonly reason: string;
  /** The invalidation that would bring the cache back in line, if one exists in this variant. */
  readonly remedy: string;
  /** The descriptor fields of that invalidation (PASID-selective), for "Compose it". */
  readonly compose?: { readonly did: number; readonly pasid: number };
  /** Nothing can fix it in this variant, but this one would (the seed never removes). */
  readonly fixedIn?: 'series';
}

export interface FieldDiff {
  readonly label: string;
  readonly before: string;
  readonly after: string;
}

export interface CacheRow {
  readonly key: string;
  readonly pasid: number;
  /** 1-based position from the list head (accel); undefined for a removed row. */
  readonly position: number | undefined;
  readonly words: readonly bigint[];
  readonly did: number;
  readonly pgtt: number;
  readonly present: boolean;
  /** The page-table pointer that matters for this PGTT. */
  readonly pointerLabel: 'FSPTPTR' | 'SSPTPTR' | '—';
  readonly pointer: bigint | undefined;
  readonly change: ChangeKind | undefined;
  /** For an emulated address space: whether the entry is valid. */
  readonly valid: boolean;
  readonly diff: readonly FieldDiff[];
  readonly stale: StaleInfo | undefined;
}

/**
 * One cache table: an iommufd device's accel list, or a device's emulated address spaces. Rows are
 * built when asked for (a list can hold 10^5 entries and the table shows a page of them).
 */
export interface CacheTable {
  readonly device: DeviceConfig;
  readonly kind: 'accel' | 'emulated';
  /** Live entries (accel: the list's length). */
  readonly length: number;
  /** Rows: the live entries (accel: in list order, head first), then the rows the highlighted
   * step removed. */
  readonly rowCount: number;
  readonly staleCount: number;
  /** Row i, 0 ≤ i < rowCount (built on first use, then kept). */
  row(i: number): CacheRow;
  /** Indices of the rows the highlighted step changed or that are stale, ascending. */
  markedRows(): readonly number[];
  /** Whether this cache holds `pasid` (live), and whether that copy is stale. */
  markOf(pasid: number): CacheMark | undefined;
}

export interface CacheView {
  readonly accel: readonly CacheTable[];
  readonly emulated: readonly CacheTable[];
  readonly iqe: boolean;
  /** The step whose changes are marked, or -1. */
  readonly focusStep: number;
  readonly staleTotal: number;
  /** Per device and PASID: cached by either cache, and whether a copy is stale (stale wins). */
  markOf(bdf: string, pasid: number): CacheMark | undefined;
}

const PE_DID = fieldByName(PASID_ENTRY, 'did');
const PE_PGTT = fieldByName(PASID_ENTRY, 'pgtt');
const PE_PRESENT = fieldByName(PASID_ENTRY, 'present');
const PE_FSPTPTR = fieldByName(PASID_ENTRY, 'fsptptr');
const PE_SSPTPTR = fieldByName(PASID_ENTRY, 'ssptptr');

function pointerOf(
  words: readonly bigint[],
  pgtt: number,
): { label: CacheRow['pointerLabel']; value?: bigint } {
  if (pgtt === 1) return { label: 'FSPTPTR', value: fieldDisplayValue(words, PE_FSPTPTR) };
  if (pgtt === 2) return { label: 'SSPTPTR', value: fieldDisplayValue(words, PE_SSPTPTR) };
  return { label: '—' };
}

function fieldDiff(before: readonly bigint[], after: readonly bigint[]): FieldDiff[] {
  const a = decodeFields(PASID_ENTRY, before);
  const b = decodeFields(PASID_ENTRY, after);
  const out: FieldDiff[] = [];
  for (const f of PASID_ENTRY.fields) {
    const x = a[f.name] ?? 0n;
    const y = b[f.name] ?? 0n;
    if (x === y) continue;
    const fmt = (v: bigint): string =>
      f.kind === 'address' ? `0x${v.toString(16)}` : v.toString();
    out.push({ label: f.label, before: fmt(x), after: fmt(y) });
  }
  for (let i = 3; i < 8; i++) {
    if ((before[i] ?? 0n) !== (after[i] ?? 0n)) {
      out.push({
        label: `val[${i}]`,
        before: `0x${(before[i] ?? 0n).toString(16)}`,
        after: `0x${(after[i] ?? 0n).toString(16)}`,
      });
    }
  }
  return out;
}

export function sameWords(a: readonly bigint[], b: readonly bigint[]): boolean {
  for (let i = 0; i < 8; i++) if ((a[i] ?? 0n) !== (b[i] ?? 0n)) return false;
  return true;
}

/** Where guest memory holds the leaf entry of (device, PASID) now, following present bits. */
export function guestPasidEntryAddress(
  mem: MemoryImage,
  scenario: Scenario,
  device: DeviceConfig,
): (pasid: number) => { addr: bigint } | { missing: string } {
  const locate = leafLocator(mem.guest, scenario.iommu, device);
  return (pasid) => {
    const at = locate(pasid);
    return 'missing' in at ? at : { addr: (BigInt(at.page) << 12n) + BigInt(at.slot * 64) };
  };
}

/** What guest memory holds for (device, PASID) now, following present bits as QEMU does. */
export function guestPasidEntry(
  mem: MemoryImage,
  scenario: Scenario,
  device: DeviceConfig,
): (pasid: number) => { words: readonly bigint[] } | { missing: string } {
  const where = guestPasidEntryAddress(mem, scenario, device);
  return (pasid) => {
    const at = where(pasid);
    return 'missing' in at ? at : { words: mem.readWords(at.addr, 8) };
  };
}

export function accelStale(
  variant: Variant,
  cached: readonly bigint[],
  pasid: number,
  guest: { words: readonly bigint[] } | { missing: string },
  lookupFault: number,
): StaleInfo | undefined {
  const cachedDid = decodePasidEntry(cached).did;
  let reason: string;
  if ('missing' in guest) {
    reason = `Guest memory no longer has this entry: ${guest.missing}.`;
  } else {
    if (sameWords(guest.words, cached)) return undefined;
    const diffs = fieldDiff(cached, guest.words);
    reason = `Guest memory changed since it was cached: ${diffs
      .map((d) => `${d.label} ${d.before} → ${d.after}`)
      .join(', ')}.`;
  }
  if (lookupFault === 0 && 'words' in guest) {
    const did = decodePasidEntry(guest.words).did;
    return {
      reason,
      remedy: `A PASID-selective invalidation with DID ${did} and PASID ${pasid} (or domain-selective with DID ${did}) updates it.`,
      compose: { did, pasid },
    };
  }
  const why = lookupFault ? `QEMU's lookup now fails (${describeFault(lookupFault)})` : '';
  if (variant === 'seed') {
    return {
      reason: `${reason} ${why}`.trim(),
      remedy:
        'The seed patch never removes accel entries: this one stays until the device is reset. The series removes it.',
      fixedIn: 'series',
    };
  }
  return {
    reason: `${reason} ${why}`.trim(),
    remedy: `A PASID-selective invalidation with the cached DID ${cachedDid} and PASID ${pasid} (or domain-selective with DID ${cachedDid}) removes it.`,
    compose: { did: cachedDid, pasid },
  };
}

export function emulatedStale(
  cached: readonly bigint[],
  guest: { words: readonly bigint[] } | { missing: string },
  lookupFault: number,
): StaleInfo | undefined {
  if ('words' in guest && sameWords(guest.words, cached)) return undefined;
  const reason =
    'missing' in guest
      ? `Guest memory no longer has this entry: ${guest.missing}.`
      : `Guest memory changed since it was cached: ${fieldDiff(cached, guest.words)
          .map((d) => `${d.label} ${d.before} → ${d.after}`)
          .join(', ')}.`;
  if (lookupFault === 0) {
    return {
      reason,
      remedy:
        'QEMU never overwrites a valid emulated copy: a sync only switches and re-syncs the address space, so this copy stays as it is while the guest entry stays valid.',
    };
  }
  return {
    reason,
    remedy: `QEMU's lookup now fails (${describeFault(lookupFault)}): any processed PASID-cache invalidation removes it (removal ignores the DID and PASID filters).`,
  };
}

const EMPTY_CACHES: AppCaches = { iqe: false, accel: {}, emulated: {}, host: {} };
const NO_ENTRIES: CacheEntryColumns = {
  length: 0,
  pasid: new Uint32Array(0),
  halves: new Uint32Array(0),
};
const EMPTY_ACCEL: AccelCacheColumns = {
  ...NO_ENTRIES,
  byPasid: new Uint32Array(0),
  flags: new Uint8Array(0),
  staleCount: 0,
  removed: new Uint32Array(0),
  before: NO_ENTRIES,
};

/** Rows built on demand and kept (a table object lives as long as its run and scenario). */
export function rowCache(make: (i: number) => CacheRow): (i: number) => CacheRow {
  const made = new Map<number, CacheRow>();
  return (i) => {
    let row = made.get(i);
    if (!row) {
      row = make(i);
      made.set(i, row);
    }
    return row;
  };
}

/** An iommufd device's accel list from the run's columns: flags come from the worker, rows and the
 * words of a stale entry's explanation are made only for the rows shown. */
function accelTable(
  scenario: Scenario,
  mem: MemoryImage,
  device: DeviceConfig,
  cols: AccelCacheColumns,
): CacheTable {
  const n = cols.length;
  const guest = guestPasidEntry(mem, scenario, device);
  const fault = (pasid: number): number =>
    pasidLookup(mem.guest, scenario.iommu, device.bus, device.devfn, pasid).fault;
  const beforeWords = (pasid: number): bigint[] | undefined => {
    const at = indexOfSorted(cols.before.pasid, pasid);
    return at < 0 ? undefined : wordsOfHalves(cols.before.halves, 16 * at);
  };
  const row = rowCache((i) => {
    if (i >= n) {
      const pasid = cols.removed[i - n] ?? 0;
      const old = beforeWords(pasid) ?? [];
      return cacheRow(
        `a:${device.bdf}:${pasid}:gone`,
        pasid,
        undefined,
        old,
        'removed',
        false,
        undefined,
      );
    }
    const pasid = cols.pasid[i] ?? 0;
    const words = wordsOfHalves(cols.halves, 16 * i);
    const flags = cols.flags[i] ?? 0;
    const change: ChangeKind | undefined =
      flags & CacheFlag.Created ? 'created' : flags & CacheFlag.Updated ? 'updated' : undefined;
    const stale =
      flags & CacheFlag.Stale
        ? (accelStale(scenario.variant, words, pasid, guest(pasid), fault(pasid)) ?? {
            reason: 'Guest memory no longer holds the cached words.',
            remedy: '',
          })
        : undefined;
    const old = change === 'updated' ? beforeWords(pasid) : undefined;
    return cacheRow(`a:${device.bdf}:${pasid}`, pasid, i + 1, words, change, true, stale, old);
  });
  let marked: number[] | undefined;
  return {
    device,
    kind: 'accel',
    length: n,
    rowCount: n + cols.removed.length,
    staleCount: cols.staleCount,
    row,
    markedRows() {
      if (!marked) {
        marked = [];
        for (let i = 0; i < n; i++) if (cols.flags[i]) marked.push(i);
        for (let j = 0; j < cols.removed.length; j++) marked.push(n + j);
      }
      return marked;
    },
    markOf(pasid) {
      const pos = positionOfPasid(cols, pasid);
      if (pos < 0) return undefined;
      return (cols.flags[pos] ?? 0) & CacheFlag.Stale ? 'stale' : 'cached';
    },
  };
}

/** A device's emulated address spaces (a handful of entries): built at once. */
function emulatedTable(
  scenario: Scenario,
  mem: MemoryImage,
  device: DeviceConfig,
  spaces: Readonly<Record<string, EmulatedCacheEntry>>,
  run: AppRun | undefined,
): CacheTable {
  const marks = new Map<number, ChangeKind>();
  // removed then created (series fall-through) reads best as the final state: created.
  for (const c of run?.focus.emulated ?? []) if (c.bdf === device.bdf) marks.set(c.pasid, c.kind);
  const beforeSpaces = run?.focus.emulatedBefore[device.bdf] ?? {};
  const guest = guestPasidEntry(mem, scenario, device);
  const where = guestPasidEntryAddress(mem, scenario, device);
  const rows: CacheRow[] = [];
  const byPasid = new Map<number, CacheMark>();
  let staleCount = 0;
  const keys = Object.keys(spaces)
    .map(Number)
    .sort((a, b) => a - b);
  for (const pasid of keys) {
    const e = spaces[String(pasid)];
    if (!e) continue;
    let stale: StaleInfo | undefined;
    if (e.valid) {
      const w = where(pasid);
      if (!('addr' in w) || !memoryHolds(mem, w.addr, e.entry)) {
        const fault = pasidLookup(mem.guest, scenario.iommu, device.bus, device.devfn, pasid).fault;
        stale = emulatedStale(e.entry, guest(pasid), fault);
      }
      byPasid.set(pasid, stale ? 'stale' : 'cached');
    }
    if (stale) staleCount++;
    const old = beforeSpaces[String(pasid)];
    rows.push(
      cacheRow(
        `e:${device.bdf}:${pasid}`,
        pasid,
        undefined,
        e.entry,
        marks.get(pasid),
        e.valid,
        stale,
        old?.valid ? old.entry : undefined,
      ),
    );
  }
  const marked = rows.flatMap((r, i) => (r.change || r.stale ? [i] : []));
  return {
    device,
    kind: 'emulated',
    length: rows.length,
    rowCount: rows.length,
    staleCount,
    row: (i) => rows[i] ?? rows[0] ?? cacheRow('', 0, undefined, [], undefined, false, undefined),
    markedRows: () => marked,
    markOf: (pasid) => byPasid.get(pasid),
  };
}

/** Whether guest memory at `addr` holds exactly these 8 words (stops at the first difference). */
export function memoryHolds(mem: MemoryImage, addr: bigint, words: readonly bigint[]): boolean {
  for (let i = 0; i < 8; i++) {
    if (mem.read(addr + BigInt(i * 8)) !== (words[i] ?? 0n)) return false;
  }
  return true;
}

/**
 * The caches of the last run, table by table, against the guest memory of the scenario that run
 * came from (the worker flagged stale entries against that same memory). Cheap at any size: the
 * tables read the run's columns and build rows when asked.
 */
export function buildCacheView(scenario: Scenario, run: AppRun | undefined): CacheView {
  const caches = run?.caches ?? EMPTY_CACHES;
  const mem = currentMemory(scenario);
  const accel: CacheTable[] = [];
  const emulated: CacheTable[] = [];
  for (const device of scenario.devices) {
    const cols = caches.accel[device.bdf];
    if (cols !== undefined || device.backend === 'iommufd') {
      accel.push(accelTable(scenario, mem, device, cols ?? EMPTY_ACCEL));
    }
    const spaces = caches.emulated[device.bdf];
    if (spaces) emulated.push(emulatedTable(scenario, mem, device, spaces, run));
  }
  return assembleCacheView(accel, emulated, caches.iqe, run?.focusStep ?? -1);
}

/** The view over a set of tables: totals and the per-(device, PASID) mark the browser shows. */
export function assembleCacheView(
  accel: readonly CacheTable[],
  emulated: readonly CacheTable[],
  iqe: boolean,
  focusStep: number,
): CacheView {
  const byBdf = new Map<string, CacheTable[]>();
  for (const t of [...accel, ...emulated]) {
    const list = byBdf.get(t.device.bdf);
    if (list) list.push(t);
    else byBdf.set(t.device.bdf, [t]);
  }
  return {
    accel,
    emulated,
    iqe,
    focusStep,
    get staleTotal() {
      return [...accel, ...emulated].reduce((n, t) => n + t.staleCount, 0);
    },
    markOf(bdf, pasid) {
      let mark: CacheMark | undefined;
      for (const t of byBdf.get(bdf) ?? []) {
        const m = t.markOf(pasid);
        if (m === 'stale') return m;
        mark ??= m;
      }
      return mark;
    },
  };
}

export function cacheRow(
  key: string,
  pasid: number,
  position: number | undefined,
  words: readonly bigint[],
  change: ChangeKind | undefined,
  valid: boolean,
  stale: StaleInfo | undefined,
  old?: readonly bigint[],
): CacheRow {
  const pgtt = Number(getField(words, PE_PGTT));
  const ptr = pointerOf(words, pgtt);
  return {
    key,
    pasid,
    position,
    words,
    did: Number(getField(words, PE_DID)),
    pgtt,
    present: getField(words, PE_PRESENT) === 1n,
    pointerLabel: ptr.label,
    pointer: ptr.value,
    change,
    valid,
    diff: change === 'updated' && old ? fieldDiff(old, words) : [],
    stale,
  };
}

// Derived data. Nothing here is stored: every value is computed from the scenario's raw words and the
// last run, memoised on the objects it reads (they are immutable, so identity is a safe key).

import {
  PASID_ENTRY,
  VARIANTS,
  decodeFields,
  fieldByName,
  fieldDisplayValue,
  getField,
  decodePasidEntry,
  describeFault,
  encodeContextCacheDescriptor,
  encodePasidCacheInvDescriptor,
  encodeWaitDescriptor,
  type CacheChange,
  type CacheState,
  type ChangeKind,
  type DeviceConfig,
  type Scenario,
  type Variant,
} from '../model/index.ts';
import { pasidLookup } from '../worker/entryLookup.ts';
import type { AppRun } from '../worker/protocol.ts';
import { currentMemory, memoryAtStep, type MemoryImage } from './memoryImage.ts';
import type { AppState } from './slices/types.ts';
import type { ComposerState } from './slices/viewSlice.ts';
import {
  ENTRY_BYTES,
  LAYOUT_OF,
  devicePath,
  entryAddress,
  type EntryRef,
  type EntryKind,
} from './structures.ts';
import { buildStructureRows, type CacheMark, type StructureRow } from './structureTree.ts';

export { memoryAtStep, currentMemory };

/** One-slot memo keyed on argument identity. */
function memo<A extends readonly unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let lastArgs: A | undefined;
  let last: R | undefined;
  return (...args: A): R => {
    if (lastArgs && lastArgs.length === args.length && lastArgs.every((a, i) => a === args[i])) {
      return last as R;
    }
    lastArgs = args;
    last = fn(...args);
    return last;
  };
}

export const selectMemory = (s: AppState): MemoryImage => currentMemory(s.scenario);

export function deviceByBdf(scenario: Scenario, bdf: string): DeviceConfig | undefined {
  return scenario.devices.find((d) => d.bdf === bdf);
}

/** True when the run on screen belongs to the scenario on screen. */
export const selectRunIsCurrent = (s: AppState): boolean =>
  s.run !== undefined && s.runOf === s.scenario;

// ---------------------------------------------------------------------------------------------
// Selected entry

export interface ResolvedEntry {
  readonly ref: EntryRef;
  readonly kind: EntryKind;
  readonly device: DeviceConfig;
  readonly addr: bigint;
  readonly words: readonly bigint[];
  readonly title: string;
}

export type EntryResolution =
  | { readonly ok: true; readonly entry: ResolvedEntry }
  | { readonly ok: false; readonly ref: EntryRef; readonly reason: string };

export function entryTitle(ref: EntryRef, device: DeviceConfig | undefined): string {
  const dev = device ? `${device.bdf}${device.name ? ` (${device.name})` : ''}` : ref.bdf;
  switch (ref.kind) {
    case 'root':
      return `Root entry, bus ${device ? device.bus.toString(16).padStart(2, '0') : '?'} — ${dev}`;
    case 'context':
      return `Context entry — ${dev}`;
    case 'dir':
      return `PASID directory entry ${ref.index} (PASIDs ${ref.index * 64}–${ref.index * 64 + 63}) — ${dev}`;
    case 'pasid':
      return `PASID ${ref.pasid} (0x${ref.pasid.toString(16)}) — ${dev}`;
  }
}

export function resolveEntry(scenario: Scenario, mem: MemoryImage, ref: EntryRef): EntryResolution {
  const device = deviceByBdf(scenario, ref.bdf);
  if (!device) return { ok: false, ref, reason: `There is no device ${ref.bdf} any more.` };
  const where = entryAddress(mem, scenario.iommu, device, ref);
  if ('unreachable' in where) return { ok: false, ref, reason: where.unreachable };
  const layout = LAYOUT_OF[ref.kind];
  return {
    ok: true,
    entry: {
      ref,
      kind: ref.kind,
      device,
      addr: where.addr,
      words: mem.readWords(where.addr, layout.words),
      title: entryTitle(ref, device),
    },
  };
}

const resolveSelectionMemo = memo(
  (scenario: Scenario, ref: EntryRef | undefined): EntryResolution | undefined =>
    ref ? resolveEntry(scenario, currentMemory(scenario), ref) : undefined,
);
export const selectSelectedEntry = (s: AppState): EntryResolution | undefined =>
  resolveSelectionMemo(s.scenario, s.selection);

export { ENTRY_BYTES };

// ---------------------------------------------------------------------------------------------
// Caches: rows, change marks and staleness

export interface StaleInfo {
  /** Why the cached copy no longer matches guest memory. */
  readonly reason: string;
  /** The invalidation that would bring the cache back in line, if one exists in this variant. */
  readonly remedy: string;
  /** The descriptor fields of that invalidation (PASID-selective), for "Compose it". */
  readonly compose?: { readonly did: number; readonly pasid: number };
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

export interface AccelTable {
  readonly device: DeviceConfig;
  /** Rows in list order, head first; removed rows (from the highlighted step) follow. */
  readonly rows: readonly CacheRow[];
  readonly length: number;
  readonly staleCount: number;
}

export interface EmulatedTable {
  readonly device: DeviceConfig;
  readonly rows: readonly CacheRow[];
  readonly staleCount: number;
}

export interface CacheView {
  readonly accel: readonly AccelTable[];
  readonly emulated: readonly EmulatedTable[];
  readonly iqe: boolean;
  /** The step whose changes are marked, or -1. */
  readonly focusStep: number;
  readonly staleTotal: number;
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

function sameWords(a: readonly bigint[], b: readonly bigint[]): boolean {
  for (let i = 0; i < 8; i++) if ((a[i] ?? 0n) !== (b[i] ?? 0n)) return false;
  return true;
}

/** Whether guest memory at `addr` holds exactly these 8 words (stops at the first difference). */
function memoryHolds(mem: MemoryImage, addr: bigint, words: readonly bigint[]): boolean {
  for (let i = 0; i < 8; i++) {
    if (mem.read(addr + BigInt(i * 8)) !== (words[i] ?? 0n)) return false;
  }
  return true;
}

/** Where guest memory holds the leaf entry of (device, PASID) now, following present bits. */
export function guestPasidEntryAddress(
  mem: MemoryImage,
  scenario: Scenario,
  device: DeviceConfig,
): (pasid: number) => { addr: bigint } | { missing: string } {
  const path = devicePath(mem, scenario.iommu, device);
  return (pasid) => {
    if (!path.rootPresent) return { missing: 'the root entry is not present any more' };
    if (!path.contextPresent || path.dirAddr === undefined) {
      return { missing: 'the context entry is not present any more' };
    }
    const index = (pasid >> 6) & 0x3fff;
    const dirWord = mem.read(path.dirAddr + BigInt(index * 8));
    if ((dirWord & 1n) === 0n) {
      return { missing: `directory entry ${index} is not present any more` };
    }
    return { addr: (dirWord & ~0xfffn) + BigInt((pasid & 63) * 64) };
  };
}

/** What guest memory holds for (device, PASID) now, following present bits as QEMU does. */
export function guestPasidEntry(
  mem: MemoryImage,
  scenario: Scenario,
  device: DeviceConfig,
): (pasid: number) => { words: readonly bigint[] } | { missing: string } {
  const path = devicePath(mem, scenario.iommu, device);
  return (pasid) => {
    if (!path.rootPresent) return { missing: 'the root entry is not present any more' };
    if (!path.contextPresent || path.dirAddr === undefined) {
      return { missing: 'the context entry is not present any more' };
    }
    const index = (pasid >> 6) & 0x3fff;
    const dirWord = mem.read(path.dirAddr + BigInt(index * 8));
    if ((dirWord & 1n) === 0n) {
      return { missing: `directory entry ${index} is not present any more` };
    }
    return { words: mem.readWords((dirWord & ~0xfffn) + BigInt((pasid & 63) * 64), 8) };
  };
}

function accelStale(
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
        'The seed patch never removes accel entries: this one stays until the device is reset.',
    };
  }
  return {
    reason: `${reason} ${why}`.trim(),
    remedy: `A PASID-selective invalidation with the cached DID ${cachedDid} and PASID ${pasid} (or domain-selective with DID ${cachedDid}) removes it.`,
    compose: { did: cachedDid, pasid },
  };
}

function emulatedStale(
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

function changesFor(
  changes: readonly CacheChange[],
  cache: CacheChange['cache'],
  bdf: string,
): Map<number, ChangeKind> {
  const m = new Map<number, ChangeKind>();
  for (const c of changes) {
    if (c.cache !== cache || c.bdf !== bdf) continue;
    // removed then created (series fall-through) reads best as the final state: created.
    m.set(c.pasid, c.kind);
  }
  return m;
}

export function buildCacheView(scenario: Scenario, run: AppRun | undefined): CacheView {
  const empty: CacheState = { iqe: false, accel: {}, emulated: {} };
  const final = run?.result.final ?? empty;
  const before = run?.before ?? empty;
  const focusStep = run?.focusStep ?? -1;
  const changes = focusStep >= 0 ? (run?.result.steps[focusStep]?.changes ?? []) : [];
  const mem = currentMemory(scenario);
  let staleTotal = 0;

  const accel: AccelTable[] = [];
  const emulated: EmulatedTable[] = [];
  for (const device of scenario.devices) {
    const guest = guestPasidEntry(mem, scenario, device);
    const where = guestPasidEntryAddress(mem, scenario, device);
    // The common case (memory still holds the cached words) costs 8 reads and no allocation.
    const unchanged = (pasid: number, words: readonly bigint[]): boolean => {
      const w = where(pasid);
      return 'addr' in w && memoryHolds(mem, w.addr, words);
    };
    const fault = (pasid: number): number =>
      pasidLookup(mem.guest, scenario.iommu, device.bus, device.devfn, pasid).fault;

    const list = final.accel[device.bdf];
    if (list !== undefined || device.backend === 'iommufd') {
      const marks = changesFor(changes, 'accel', device.bdf);
      const beforeList = before.accel[device.bdf] ?? [];
      const beforeBy = new Map(beforeList.map((e) => [e.pasid, e.entry]));
      const rows: CacheRow[] = [];
      let staleCount = 0;
      (list ?? []).forEach((e, i) => {
        const stale = unchanged(e.pasid, e.entry)
          ? undefined
          : accelStale(scenario.variant, e.entry, e.pasid, guest(e.pasid), fault(e.pasid));
        if (stale) staleCount++;
        const change = marks.get(e.pasid);
        const old = beforeBy.get(e.pasid);
        rows.push(
          cacheRow(`a:${device.bdf}:${e.pasid}`, e.pasid, i + 1, e.entry, change, true, stale, old),
        );
      });
      const live = new Set((list ?? []).map((e) => e.pasid));
      for (const [pasid, kind] of marks) {
        if (kind !== 'removed' || live.has(pasid)) continue;
        const old = beforeBy.get(pasid) ?? [];
        rows.push(
          cacheRow(
            `a:${device.bdf}:${pasid}:gone`,
            pasid,
            undefined,
            old,
            'removed',
            false,
            undefined,
          ),
        );
      }
      staleTotal += staleCount;
      accel.push({ device, rows, length: list?.length ?? 0, staleCount });
    }

    const spaces = final.emulated[device.bdf];
    if (spaces) {
      const marks = changesFor(changes, 'emulated', device.bdf);
      const beforeSpaces = before.emulated[device.bdf] ?? {};
      const rows: CacheRow[] = [];
      let staleCount = 0;
      const keys = Object.keys(spaces)
        .map(Number)
        .sort((a, b) => a - b);
      for (const pasid of keys) {
        const e = spaces[String(pasid)];
        if (!e) continue;
        let stale: StaleInfo | undefined;
        if (e.valid && !unchanged(pasid, e.entry)) {
          stale = emulatedStale(e.entry, guest(pasid), fault(pasid));
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
      staleTotal += staleCount;
      emulated.push({ device, rows, staleCount });
    }
  }
  return { accel, emulated, iqe: final.iqe, focusStep, staleTotal };
}

function cacheRow(
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

const cacheViewMemo = memo(buildCacheView);
export const selectCacheView = (s: AppState): CacheView => cacheViewMemo(s.scenario, s.run);

/** Per device and PASID: cached here, and whether that copy is stale (for the browser's badges). */
export function cacheMarks(view: CacheView): Map<string, Map<number, CacheMark>> {
  const out = new Map<string, Map<number, CacheMark>>();
  const mark = (bdf: string, pasid: number, m: CacheMark): void => {
    let per = out.get(bdf);
    if (!per) {
      per = new Map<number, CacheMark>();
      out.set(bdf, per);
    }
    if (per.get(pasid) !== 'stale') per.set(pasid, m);
  };
  for (const t of view.accel) {
    for (const r of t.rows)
      if (r.change !== 'removed') mark(t.device.bdf, r.pasid, r.stale ? 'stale' : 'cached');
  }
  for (const t of view.emulated) {
    for (const r of t.rows) if (r.valid) mark(t.device.bdf, r.pasid, r.stale ? 'stale' : 'cached');
  }
  return out;
}

const marksMemo = memo(cacheMarks);

const rowsMemo = memo(
  (scenario: Scenario, fold: AppState['fold'], view: CacheView): StructureRow[] =>
    buildStructureRows(scenario, currentMemory(scenario), { fold, marks: marksMemo(view) }),
);
export const selectStructureRows = (s: AppState): StructureRow[] =>
  rowsMemo(s.scenario, s.fold, selectCacheView(s));

// ---------------------------------------------------------------------------------------------
// The invalidation composer

export function composerWords(c: ComposerState): readonly bigint[] {
  switch (c.mode) {
    case 'pasid-cache':
      return encodePasidCacheInvDescriptor({
        granularity: c.granularity === 'domain' ? 0 : c.granularity === 'pasid' ? 1 : 3,
        did: c.did,
        pasid: c.pasid,
      });
    case 'context-cache':
      return encodeContextCacheDescriptor({
        granularity: c.ccGranularity === 'global' ? 1 : c.ccGranularity === 'domain' ? 2 : 3,
        did: c.ccDid,
        sourceId: c.ccSid,
        functionMask: c.ccFm,
      });
    case 'wait':
      return encodeWaitDescriptor({
        statusWrite: c.waitSw,
        interruptFlag: c.waitIf,
        fence: c.waitFn,
        statusData: c.waitData,
        statusAddr: c.waitAddr,
      });
    case 'raw':
      return c.rawWidth === 128 ? c.raw.slice(0, 2) : c.raw.slice(0, 4);
  }
}

export const selectComposerWords = memo((c: ComposerState) => composerWords(c));

// ---------------------------------------------------------------------------------------------
// Misc

export const VARIANT_LABELS: Readonly<Record<Variant, string>> = {
  seed: 'seed — the accel patch as posted (adds and updates only)',
  series: 'series — as applied (removal; emulated path missing its return)',
  'series-fixed': 'series-fixed — as applied, with the missing return restored',
};

export { VARIANTS };

/** The memory a trace event at `cursor` saw (for the walk view). */
export function memoryAtCursor(s: AppState): MemoryImage | undefined {
  const run = s.run;
  const scenario = s.runOf;
  if (!run || !scenario) return undefined;
  const starts = run.result.trace.stepStart;
  let step = 0;
  for (let k = 0; k + 1 < starts.length; k++) {
    if ((starts[k] ?? 0) <= s.cursor) step = k;
  }
  return memoryAtStep(scenario, step);
}

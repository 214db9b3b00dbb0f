// Predict, then reveal: before an invalidation runs, the learner says what will happen to each
// cache entry it could touch (created, updated, removed, unchanged); the model's own run answers,
// entry by entry, with the reason QEMU had (from the step's trace events, never from a table of
// expected answers). Pure: it reads a RunResult of the scenario.

import type { CacheKind, ChangeKind, RunResult } from '../run/runTypes.ts';
import type { TraceEvent } from '../trace/traceReader.ts';
import { readTraceEvent, traceStepRange } from '../trace/traceReader.ts';
import {
  EmuSkipReason,
  GateReason,
  LeafOutcome,
  QemuFn,
  RemovalOutcome,
} from '../trace/traceFormat.ts';

export type EntryFate = ChangeKind | 'unchanged';
export const ENTRY_FATES: readonly EntryFate[] = ['created', 'updated', 'removed', 'unchanged'];

/** A cache entry the learner predicts for. */
export interface PredictionTarget {
  readonly cache: CacheKind;
  readonly bdf: string;
  readonly pasid: number;
  /** The entry was in the cache (valid, for the emulated cache) before the step. */
  readonly cachedBefore: boolean;
}

/** "accel 00:02.0 PASID 5": the key of a prediction, and the tail of its accessible name. */
export function targetKey(t: { cache: CacheKind; bdf: string; pasid: number }): string {
  return `${t.cache} ${t.bdf} PASID ${t.pasid}`;
}

/** Entries cached before step k, replayed from the run's changes. */
function cachedBefore(run: RunResult, step: number): Set<string> {
  const cached = new Set<string>();
  for (const s of run.steps.slice(0, step)) {
    for (const c of s.changes) {
      if (c.kind === 'removed') cached.delete(targetKey(c));
      else cached.add(targetKey(c));
    }
  }
  return cached;
}

function stepEvents(run: RunResult, step: number): TraceEvent[] {
  const { start, end } = traceStepRange(run.trace, step);
  const out: TraceEvent[] = [];
  for (let i = start; i < end; i++) out.push(readTraceEvent(run.trace, i));
  return out;
}

const EMULATED_FNS: ReadonlySet<number> = new Set([
  QemuFn.vtd_pasid_cache_sync_locked,
  QemuFn.vtd_pasid_cache_sync,
]);

/** The events of the step that concern one cache entry (and its device's gates and clamps). */
function eventsFor(events: readonly TraceEvent[], cache: CacheKind, bdf: string, pasid: number) {
  return events.filter((e) => {
    if (!('bdf' in e) || e.bdf !== bdf) return e.kind === 'SyncGated' && !('bdf' in e);
    switch (e.kind) {
      case 'EmuSkip':
      case 'EmuCreated':
      case 'EmuRemoved':
      case 'EmuUnchanged':
      case 'EmuDiffers':
        return cache === 'emulated' && e.pasid === pasid;
      case 'AccelRemovalCheck':
        return cache === 'accel' && e.pasid === pasid;
      case 'AccelRemoved':
      case 'AccelBypass':
        return cache === 'accel' && e.pasid === pasid;
      case 'LeafChecked':
        return cache === 'accel' && pasid >= e.firstPasid && pasid < e.firstPasid + e.count;
      case 'RangeClamp':
      case 'AccelDeviceSkipped':
        return cache === 'accel';
      case 'SyncGated':
        return cache === 'accel' ? !EMULATED_FNS.has(e.fn) : EMULATED_FNS.has(e.fn);
      case 'AccelDeviceBegin':
      case 'DirChecked':
      case 'GuestRead':
      case 'LookupResult':
      case 'SyncBegin':
        return false;
      case 'HostCall':
        // The series binds accel entries, the seed binds PASID 0 from the emulated path.
        return e.pasid === pasid;
    }
  });
}

const hexDid = (d: number): string => `0x${d.toString(16)}`;

const GATES: Readonly<Record<number, string>> = {
  [GateReason.NotRootScalable]: 'the root table is not scalable-mode: the sync returns at once',
  [GateReason.DmarDisabled]: 'DMA remapping is off (TE): the sync returns at once',
  [GateReason.FstsOff]: 'fsts is off: the accel sync never runs',
};

/** Why QEMU did what it did to this entry in this step, in one sentence. */
function explain(evs: readonly TraceEvent[], actual: EntryFate, cache: CacheKind, pasid: number) {
  const gate = evs.find((e) => e.kind === 'SyncGated');
  const removal = evs.find((e) => e.kind === 'AccelRemovalCheck');
  const leaf = evs.find((e) => e.kind === 'LeafChecked');
  const clamp = evs.find((e) => e.kind === 'RangeClamp');
  const emu = evs.find((e) => e.kind.startsWith('Emu'));
  if (actual === 'removed' && removal) {
    return `removed: still cached with DID ${hexDid(removal.cachedDid)}, but its fresh lookup failed (fault 0x${removal.fault.toString(16)}), so the series' removal pass deleted it`;
  }
  if (emu?.kind === 'EmuCreated')
    return emu.fallThrough
      ? "re-created: the series' missing return falls through after the removal and builds the entry again from the failed lookup's buffer"
      : 'created: the lookup found a valid entry and QEMU cached a copy';
  if (emu?.kind === 'EmuRemoved')
    return `removed: the lookup failed (fault 0x${emu.fault.toString(16)}), so the cached entry became invalid`;
  if (emu?.kind === 'EmuUnchanged') return 'unchanged: the cached copy equals guest memory';
  if (emu?.kind === 'EmuDiffers')
    return 'unchanged: memory differs, but this path switches the address space and does not overwrite the cached copy';
  if (emu?.kind === 'EmuSkip') {
    if (emu.reason === EmuSkipReason.DidFilter)
      return `DID filter: the DID compared (${hexDid(emu.did)}) is not the descriptor's, so QEMU skips it`;
    if (emu.reason === EmuSkipReason.PasidFilter)
      return 'PASID filter: a PASID-selective invalidation of another PASID';
    return `not present: the lookup failed (fault 0x${emu.fault.toString(16)}) and nothing was cached`;
  }
  if (leaf) {
    switch (leaf.outcome) {
      case LeafOutcome.Created:
        return 'created: the walk found a present entry that was not in the list';
      case LeafOutcome.Updated:
        return 'updated: the walk found the entry changed in memory';
      case LeafOutcome.Unchanged:
        return 'unchanged: the walk found the cached copy equal to memory';
      case LeafOutcome.NotPresent:
        return cache === 'accel' && actual === 'unchanged' && removal === undefined
          ? 'not present in memory: the walk skips it, and the seed never removes accel entries'
          : 'not present in memory: the walk skips it';
      case LeafOutcome.DidMismatch:
        return `DID filter: memory holds DID ${hexDid(leaf.did)}, not the descriptor's, so the walk skips it`;
      case LeafOutcome.EntryInvalid:
        return "PGTT rejected: the entry fails QEMU's type check (fault 0x5b), e.g. second-stage with fsts";
      case LeafOutcome.FetchError:
        return 'the entry could not be read (fault 0x58): outside guest RAM';
    }
  }
  if (removal?.outcome === RemovalOutcome.DidFilter)
    return `DID filter: cached with DID ${hexDid(removal.cachedDid)}, not the descriptor's, so the removal pass keeps it`;
  if (removal?.outcome === RemovalOutcome.StillValid && actual === 'unchanged')
    return 'still valid in memory: the removal pass keeps it';
  if (clamp && pasid >= clamp.end)
    return `clamp: the walk of this device ends at PASID ${clamp.end} (max_pasid_log2 ${clamp.maxPasidLog2}, PDTS ${clamp.pdts})`;
  if (evs.some((e) => e.kind === 'AccelBypass'))
    return 'accel_pce_deleted: a PASID-selective removal skipped the replay for this device';
  const skipped = evs.find((e) => e.kind === 'AccelDeviceSkipped');
  if (skipped)
    return `the device was skipped: its context lookup failed (fault 0x${skipped.fault.toString(16)})`;
  if (gate?.kind === 'SyncGated') return GATES[gate.reason] ?? 'the sync returned early';
  return 'not reached: this invalidation does not look at this entry';
}

/**
 * The entries a learner predicts for at step k: those cached before it, and those the step's run
 * looked at (walked, looked up, filtered) or changed.
 */
export function predictionTargets(run: RunResult, step: number): PredictionTarget[] {
  const before = cachedBefore(run, step);
  const targets = new Map<string, PredictionTarget>();
  const add = (cache: CacheKind, bdf: string, pasid: number): void => {
    const key = targetKey({ cache, bdf, pasid });
    if (!targets.has(key)) targets.set(key, { cache, bdf, pasid, cachedBefore: before.has(key) });
  };
  for (const key of before) {
    const m = /^(accel|emulated) (\S+) PASID (\d+)$/.exec(key);
    if (m?.[2]) add(m[1] === 'accel' ? 'accel' : 'emulated', m[2], Number(m[3]));
  }
  const pc = run.steps[step]?.pcInfo;
  for (const e of stepEvents(run, step)) {
    const bdf = 'bdf' in e ? e.bdf : undefined;
    if (bdf === undefined) continue;
    // A PASID-selective invalidation asks about its PASID on every device the accel sync visits.
    if (pc?.type === 1 && (e.kind === 'AccelDeviceBegin' || e.kind === 'RangeClamp'))
      add('accel', bdf, pc.pasid);
    if (e.kind.startsWith('Emu') && 'pasid' in e) add('emulated', bdf, e.pasid);
    if (e.kind === 'LeafChecked' && e.count <= 64) {
      for (let p = e.firstPasid; p < e.firstPasid + e.count; p++) add('accel', bdf, p);
    }
  }
  for (const c of run.steps[step]?.changes ?? []) add(c.cache, c.bdf, c.pasid);
  return [...targets.values()].sort(
    (x, y) => x.cache.localeCompare(y.cache) || x.bdf.localeCompare(y.bdf) || x.pasid - y.pasid,
  );
}

export interface RevealedEntry extends PredictionTarget {
  readonly actual: EntryFate;
  readonly predicted: EntryFate | undefined;
  readonly right: boolean;
  /** Why the model did what it did (shown for every miss). */
  readonly reason: string;
}

export interface Reveal {
  readonly entries: readonly RevealedEntry[];
  readonly right: number;
  readonly total: number;
  /** "N of M right" */
  readonly score: string;
}

/** The model's answer for step k against the learner's predictions (keyed by targetKey). */
export function revealPredictions(
  run: RunResult,
  step: number,
  predictions: ReadonlyMap<string, EntryFate>,
): Reveal {
  const events = stepEvents(run, step);
  const changes = run.steps[step]?.changes ?? [];
  const entries = predictionTargets(run, step).map((t): RevealedEntry => {
    const key = targetKey(t);
    const change = changes.find((c) => targetKey(c) === key);
    const actual: EntryFate = change?.kind ?? 'unchanged';
    const predicted = predictions.get(key);
    let reason = explain(eventsFor(events, t.cache, t.bdf, t.pasid), actual, t.cache, t.pasid);
    if (
      predicted === 'removed' &&
      actual !== 'removed' &&
      t.cache === 'accel' &&
      run.variant === 'seed'
    )
      reason = `the seed never removes accel entries; ${reason}`;
    return { ...t, actual, predicted, right: predicted === actual, reason };
  });
  const right = entries.filter((e) => e.right).length;
  return { entries, right, total: entries.length, score: `${right} of ${entries.length} right` };
}

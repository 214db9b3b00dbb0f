// Derived data. Nothing here is stored: every value is computed from the scenario's raw words and the
// last run, memoised on the objects it reads (they are immutable, so identity is a safe key).

import {
  encodeContextCacheDescriptor,
  encodePasidCacheInvDescriptor,
  encodePiotlbDescriptor,
  encodeWaitDescriptor,
  type DeviceConfig,
  type Scenario,
  type Variant,
} from '../model/core.ts';
import {
  cacheViewAt,
  cacheMoment,
  stepChangesAt,
  type CacheMoment,
  type StepChangesSoFar,
} from './cachesAtEvent.ts';
import type { CacheView } from './cacheView.ts';
import { currentMemory, type MemoryImage } from './memoryImage.ts';
import type { AppState } from './slices/types.ts';
import type { ComposerState } from './slices/composerSlice.ts';
import { LAYOUT_OF, entryAddress, type EntryRef, type EntryKind } from './structures.ts';
import { structureRows, type StructureRows } from './structureTree.ts';

export type { CacheRow, CacheTable, CacheView } from './cacheView.ts';
export type { CacheMoment, StepChangesSoFar } from './cachesAtEvent.ts';

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

const cacheViewMemo = memo(cacheViewAt);
/**
 * The caches at the playhead: the state after the trace event the walk's cursor is on, read against
 * guest memory as it was then (one clock for the whole page). At the last event: the run's final
 * caches.
 */
export const selectCacheView = (s: AppState): CacheView =>
  cacheViewMemo(s.runOf ?? s.scenario, s.run, s.cursor);

const cacheMomentMemo = memo(cacheMoment);
/** Where the playhead is: step, event within the step, and whether it is the end of the run. */
export const selectCacheMoment = (s: AppState): CacheMoment | undefined =>
  cacheMomentMemo(s.run, s.cursor);

const stepChangesMemo = memo(stepChangesAt);
/** What the playhead's step has changed in the caches up to the playhead. */
export const selectStepChangesAtCursor = (s: AppState): StepChangesSoFar | undefined =>
  stepChangesMemo(s.run, s.cursor);

/** The structure browser's rows for a scenario, its folds and the caches' marks (memoised). */
export const structureRowsOf = memo(
  (scenario: Scenario, fold: AppState['fold'], view: CacheView): StructureRows =>
    structureRows(scenario, currentMemory(scenario), {
      fold,
      markOf: (bdf, pasid) => view.markOf(bdf, pasid),
    }),
);

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
    case 'piotlb':
      return encodePiotlbDescriptor({
        granularity: c.piotlbGranularity,
        did: c.piotlbDid,
        pasid: c.piotlbPasid,
        // All of the PASID: the address fields are ignored by QEMU, so they are written as zero.
        addr: c.piotlbGranularity === 'page' ? c.piotlbAddr : 0n,
        am: c.piotlbGranularity === 'page' ? c.piotlbAm : 0,
        ih: c.piotlbGranularity === 'page' && c.piotlbIh,
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

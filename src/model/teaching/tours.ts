// Guided tours as data: a preset and its stops. A stop finds its event with a predicate over the
// preset's real run (never a raw index, so a tour survives a preset gaining a step), says what to
// highlight and why in two or three sentences; the last stop asks a question. The screens that play
// a tour come with the walk view's teaching mode.

import type { CacheKind, RunResult } from '../run/runTypes.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import type { TraceEvent } from '../trace/traceReader.ts';
import { readTraceEvent } from '../trace/traceReader.ts';
import { LeafOutcome, RangeReason, Structure } from '../trace/traceFormat.ts';

export type TourHighlight =
  | {
      readonly kind: 'chain';
      readonly part: 'root' | 'context' | 'directory' | 'table' | 'entry';
    }
  | {
      readonly kind: 'cacheRow';
      readonly cache: CacheKind;
      readonly bdf: string;
      readonly pasid: number;
    }
  | { readonly kind: 'pseudo'; readonly fn: string };

export interface TourContext {
  readonly scenario: Scenario;
  readonly run: RunResult;
}

export interface TourStop {
  readonly title: string;
  /** The event the playhead moves to; undefined when the preset no longer shows it (a bug). */
  readonly find: (ctx: TourContext) => number | undefined;
  readonly highlight: TourHighlight;
  /** Two or three sentences. */
  readonly text: string;
  /** The last stop asks one. */
  readonly question?: string;
}

export interface Tour {
  readonly name: string;
  readonly title: string;
  readonly preset: string;
  readonly stops: readonly TourStop[];
}

/** The first event at or after `from` that matches. */
export function findEvent(
  run: RunResult,
  match: (e: TraceEvent) => boolean,
  from = 0,
): number | undefined {
  for (let i = from; i < run.trace.length; i++) if (match(readTraceEvent(run.trace, i))) return i;
  return undefined;
}

/** The first event of the first step whose note contains `text`. */
function stepNoted(ctx: TourContext, text: string): number | undefined {
  const k = ctx.scenario.steps.findIndex((s) => (s.note ?? '').includes(text));
  return k < 0 ? undefined : ctx.run.trace.stepStart[k];
}

const read = (structure: Structure) => (ctx: TourContext) =>
  findEvent(ctx.run, (e) => e.kind === 'GuestRead' && e.structure === structure);

export const TOURS: readonly Tour[] = [
  {
    name: 'find-a-pasid-entry',
    title: 'How QEMU finds a PASID entry',
    preset: 'pasid0-two-caches',
    stops: [
      {
        title: 'The root entry',
        find: read(Structure.RootEntry),
        highlight: { kind: 'chain', part: 'root' },
        text: 'Every lookup starts at the root table the guest programmed in RTADDR. The bus number picks one root entry; its lower or upper half points to a context table.',
      },
      {
        title: 'The context entry',
        find: read(Structure.ContextEntry),
        highlight: { kind: 'chain', part: 'context' },
        text: "Device and function pick the context entry. In scalable mode it holds the PASID directory's address and its size, PDTS.",
      },
      {
        title: 'The PASID directory entry',
        find: read(Structure.PasidDirEntry),
        highlight: { kind: 'chain', part: 'directory' },
        text: 'PASID >> 6 indexes the directory. A present directory entry points to a PASID table of 64 entries.',
      },
      {
        title: 'The PASID entry',
        find: read(Structure.PasidEntry),
        highlight: { kind: 'chain', part: 'entry' },
        text: 'PASID & 63 picks the 512-bit PASID entry. QEMU checks its type (PGTT) before the present bit, then caches a copy.',
        question: 'Which two numbers of the PASID select the directory entry and the table entry?',
      },
    ],
  },
  {
    name: 'what-limits-the-walk',
    title: 'What limits the walk: pasid-bits, the device, PDTS',
    preset: 'pdts-clamp',
    stops: [
      {
        title: 'pasid-bits',
        find: (ctx) =>
          findEvent(ctx.run, (e) => e.kind === 'RangeInit' && e.reason === RangeReason.PasidBits),
        highlight: { kind: 'pseudo', fn: 'vtd_accel_pasid_cache_sync' },
        text: "A global or domain-selective sync walks [0, 2^pasid-bits). That is the vIOMMU's limit, before any device is looked at.",
      },
      {
        title: 'The context entry clamps',
        find: (ctx) => findEvent(ctx.run, (e) => e.kind === 'RangeClamp'),
        highlight: { kind: 'chain', part: 'context' },
        text: "Each device's walk is clamped by its own max PASID and by its context entry's PDTS. Here PDTS 0 ends the walk at PASID 0x2000 although the directory holds more.",
        question:
          'A PASID-selective invalidation for PASID 0x2000 arrives next: will the accel cache learn that entry?',
      },
    ],
  },
  {
    name: 'why-pasid-selective-misses',
    title: 'Why a PASID-selective invalidation can miss',
    preset: 'did-mismatch',
    stops: [
      {
        title: 'The DID filter',
        find: (ctx) =>
          findEvent(
            ctx.run,
            (e) => e.kind === 'LeafChecked' && e.outcome === LeafOutcome.DidMismatch,
          ),
        highlight: { kind: 'pseudo', fn: 'vtd_sm_pasid_table_walk_one' },
        text: 'The descriptor carries DID 4, but the entry in memory says DID 3. QEMU skips entries whose DID differs, silently: nothing is cached.',
      },
      {
        title: 'The right DID',
        find: (ctx) =>
          findEvent(ctx.run, (e) => e.kind === 'LeafChecked' && e.outcome === LeafOutcome.Created),
        highlight: { kind: 'cacheRow', cache: 'accel', bdf: '00:02.0', pasid: 5 },
        text: 'The same invalidation with the DID that memory holds adds PASID 5. The filter compares memory DID with descriptor DID, not the cached one.',
        question:
          'Linux changes a DID in place and invalidates with the old DID: which DID does QEMU compare?',
      },
    ],
  },
  {
    name: 'what-the-seed-cannot-do',
    title: 'What the seed patch cannot do: removal',
    preset: 'torn-down-entry',
    stops: [
      {
        title: 'Cached',
        find: (ctx) =>
          findEvent(ctx.run, (e) => e.kind === 'LeafChecked' && e.outcome === LeafOutcome.Created),
        highlight: { kind: 'cacheRow', cache: 'accel', bdf: '00:02.0', pasid: 7 },
        text: 'PASID 7 is cached by the accel path. The host now has it attached too.',
      },
      {
        title: 'Torn down, still cached',
        find: (ctx) =>
          findEvent(
            ctx.run,
            (e) =>
              e.kind === 'LeafChecked' && e.outcome === LeafOutcome.NotPresent && e.firstPasid <= 7,
          ),
        highlight: { kind: 'pseudo', fn: 'vtd_sm_pasid_table_walk_one' },
        text: 'Linux cleared the present bit and invalidated with the old DID. The seed walk sees "not present" and skips it: it only adds and updates, so the stale entry stays.',
        question:
          'Switch to the series variant: which pass removes PASID 7, and which DID does it compare?',
      },
    ],
  },
  {
    name: 'the-missing-return',
    title: "The series' missing return: removed, then re-created",
    preset: 'series-fallthrough',
    stops: [
      {
        title: 'Removed',
        find: (ctx) => findEvent(ctx.run, (e) => e.kind === 'EmuRemoved'),
        highlight: { kind: 'pseudo', fn: 'vtd_pasid_cache_sync_locked' },
        text: 'The lookup failed, so the emulated entry is invalidated. In the applied series the function does not return here.',
      },
      {
        title: 'Re-created',
        find: (ctx) => findEvent(ctx.run, (e) => e.kind === 'EmuCreated' && e.fallThrough),
        highlight: { kind: 'pseudo', fn: 'vtd_pasid_cache_sync_locked' },
        text: "It falls through and builds the entry again from the failed lookup's buffer. The cache says valid for an entry the guest removed.",
        question: 'What does the series-fixed variant do at this point instead?',
      },
    ],
  },
  {
    name: 'why-global-sync-is-quadratic',
    title: 'Why one global sync is quadratic',
    preset: 'quadratic-cost',
    stops: [
      {
        title: 'One PASID, one search',
        find: (ctx) => findEvent(ctx.run, (e) => e.kind === 'LeafChecked' && e.listCompares > 0),
        highlight: { kind: 'pseudo', fn: 'vtd_accel_fill_pc' },
        text: "For every present PASID the walk searches the device's cache list linearly. The list grows by one entry per PASID created.",
      },
      {
        title: 'The last PASID',
        find: (ctx) => {
          let last: number | undefined;
          for (let i = 0; i < ctx.run.trace.length; i++) {
            const e = readTraceEvent(ctx.run.trace, i);
            if (e.kind === 'LeafChecked' && e.listCompares > 0) last = i;
          }
          return last;
        },
        highlight: { kind: 'pseudo', fn: 'vtd_accel_fill_pc' },
        text: 'The last of 1,024 PASIDs compares against the whole list. Summed over the walk that is n(n-1)/2 comparisons.',
        question: 'How many list comparisons would 2,048 present PASIDs cost?',
      },
    ],
  },
  {
    name: 'what-linux-does-at-boot',
    title: 'What a real Linux guest does at boot',
    preset: 'linux-attach-teardown',
    stops: [
      {
        title: 'Root table set',
        find: (ctx) => stepNoted(ctx, 'iommu_set_root_entry'),
        highlight: { kind: 'pseudo', fn: 'vtd_process_context_cache_desc' },
        text: 'Linux programs the root table and flushes the context cache, the PASID cache and the IOTLB globally. Every batch ends with a wait descriptor.',
      },
      {
        title: 'A flush too early',
        find: (ctx) => stepNoted(ctx, 'pasid_flush_caches'),
        highlight: { kind: 'chain', part: 'context' },
        text: 'Linux 6.1 writes the PASID entry and flushes at once, but the context entry comes later. QEMU cannot reach the device yet: the flush finds nothing.',
      },
      {
        title: 'The context is mapped',
        find: (ctx) => stepNoted(ctx, 'domain_context_mapping_one: context-cache'),
        highlight: { kind: 'chain', part: 'context' },
        text: 'domain_context_mapping_one writes the context entry and sends a device-selective context-cache invalidation. Only the emulated cache is refreshed by it.',
        question: 'Why does the 2026 driver not have this problem?',
      },
    ],
  },
];

// One scenario under the three variants (seed, series, series-fixed), and where the outcomes part:
// per step (status, error, pcInfo, cache changes, walk counters, host calls) and in the final
// caches (an entry present in one and absent in another, different words, a different validity or
// list position) and host state (what is attached, which objects are live or leaked). This is what a reviewer pastes: "the series changes the outcome of steps 4 and 9".
//
// Comparison rules follow the contract: an invalid emulated entry's words are not compared
// (semantics.md: an invalid entry keeps its last contents, which mean nothing); accel lists are
// compared entry by entry (by PASID), with the list position as its own aspect, because QEMU's
// linear search cost depends on it.

import { runScenario } from '../run/runScenario.ts';
import type {
  AccelWalkCounts,
  CacheChange,
  CacheKind,
  CacheState,
  HostDeviceState,
  HostOp,
  PcInfo,
  StepResult,
  StepStatus,
} from '../run/runTypes.ts';
import { hex64 } from '../run/contractJson.ts';
import type { Scenario, ScenarioStep, Variant } from '../scenario/scenarioTypes.ts';
import { VARIANTS } from '../scenario/scenarioTypes.ts';

export type StepAspect = 'status' | 'error' | 'pcInfo' | 'changes' | 'accelWalk' | 'hostOps';
export type CacheEntryAspect = 'presence' | 'validity' | 'words' | 'position';

/** What one variant did at one step. */
export interface StepOutcome {
  readonly status: StepStatus;
  readonly error?: string;
  readonly pcInfo?: PcInfo;
  readonly accelWalk?: AccelWalkCounts;
  readonly changes: readonly CacheChange[];
  readonly hostOps: readonly HostOp[];
}

export interface StepDifference {
  readonly index: number;
  readonly op: ScenarioStep['op'];
  readonly note?: string;
  /** What differs between at least two variants. */
  readonly aspects: readonly StepAspect[];
  readonly outcomes: Readonly<Record<Variant, StepOutcome>>;
}

/** One cache entry as a variant ends: absent, or present (emulated: valid or not). */
export type CacheEntryState =
  | { readonly present: false }
  | {
      readonly present: true;
      /** Accel entries are always valid. */
      readonly valid: boolean;
      readonly entry: readonly bigint[];
      /** Accel only: 0 = list head. */
      readonly position?: number;
    };

export interface CacheEntryDifference {
  readonly cache: CacheKind;
  readonly bdf: string;
  readonly pasid: number;
  readonly aspects: readonly CacheEntryAspect[];
  readonly states: Readonly<Record<Variant, CacheEntryState>>;
}

/** Two variants side by side (the patch: seed vs series; the fix: series vs series-fixed). */
export interface VariantPairDifference {
  readonly from: Variant;
  readonly to: Variant;
  /** Indexes of the steps whose outcome differs. */
  readonly steps: readonly number[];
  /** How many final cache entries differ. */
  readonly finalEntries: number;
  readonly iqeDiffers: boolean;
  /** Devices whose final host state (attachments, live or leaked objects) differs. */
  readonly hostDevices: readonly string[];
}

/** One iommufd device whose final host state is not the same in every variant. */
export interface HostStateDifference {
  readonly bdf: string;
  readonly states: Readonly<Record<Variant, HostDeviceState>>;
}

export interface VariantComparison {
  readonly variants: readonly Variant[];
  readonly stepCount: number;
  /** Only the steps where some variant differs, in step order. */
  readonly steps: readonly StepDifference[];
  readonly final: {
    readonly iqe: Readonly<Record<Variant, boolean>>;
    readonly entries: readonly CacheEntryDifference[];
    readonly host: readonly HostStateDifference[];
  };
  readonly pairs: readonly VariantPairDifference[];
  /** True when all three variants agree on every step and on the final caches. */
  readonly identical: boolean;
}

export const VARIANT_PAIRS: readonly (readonly [Variant, Variant])[] = [
  ['seed', 'series'],
  ['series', 'series-fixed'],
  ['seed', 'series-fixed'],
];

function outcomeOf(r: StepResult): StepOutcome {
  return {
    status: r.status,
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(r.pcInfo ? { pcInfo: r.pcInfo } : {}),
    ...(r.accelWalk ? { accelWalk: r.accelWalk } : {}),
    changes: r.changes,
    hostOps: r.hostOps ?? [],
  };
}

/** Host calls compare by content (same calls, same order, same results). */
function sameHostOps(a: StepResult, b: StepResult): boolean {
  const x = a.hostOps ?? [];
  const y = b.hostOps ?? [];
  return (
    x.length === y.length &&
    (a.hostOpsOmitted ?? 0) === (b.hostOpsOmitted ?? 0) &&
    x.every((op, i) => JSON.stringify(op) === JSON.stringify(y[i]))
  );
}

function sameHostState(a: HostDeviceState | undefined, b: HostDeviceState | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

const NO_HOST: HostDeviceState = { attached: {}, objects: [] };

function sameChange(a: CacheChange, b: CacheChange): boolean {
  return a.cache === b.cache && a.bdf === b.bdf && a.pasid === b.pasid && a.kind === b.kind;
}

/** The aspects in which two step results differ. */
export function stepAspects(a: StepResult, b: StepResult): StepAspect[] {
  const out: StepAspect[] = [];
  if (a.status !== b.status) out.push('status');
  if ((a.error ?? '') !== (b.error ?? '')) out.push('error');
  const pa = a.pcInfo;
  const pb = b.pcInfo;
  if (
    (pa === undefined) !== (pb === undefined) ||
    (pa && pb && (pa.type !== pb.type || pa.did !== pb.did || pa.pasid !== pb.pasid))
  ) {
    out.push('pcInfo');
  }
  if (
    a.changes.length !== b.changes.length ||
    (a.changesOmitted ?? 0) !== (b.changesOmitted ?? 0) ||
    a.changes.some((c, i) => {
      const d = b.changes[i];
      return !d || !sameChange(c, d);
    })
  ) {
    out.push('changes');
  }
  const wa = a.accelWalk;
  const wb = b.accelWalk;
  if (
    (wa === undefined) !== (wb === undefined) ||
    (wa &&
      wb &&
      (wa.dirReads !== wb.dirReads ||
        wa.entryReads !== wb.entryReads ||
        wa.listCompares !== wb.listCompares))
  ) {
    out.push('accelWalk');
  }
  if (!sameHostOps(a, b)) out.push('hostOps');
  return out;
}

function sameWords(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

/**
 * The aspects in which two final states of one cache entry differ. `orderDiffers`: the accel
 * entry sits at a different place among the entries both lists hold (a mere shift because another
 * entry is missing does not count).
 */
export function cacheEntryAspects(
  cache: CacheKind,
  a: CacheEntryState,
  b: CacheEntryState,
  orderDiffers = false,
): CacheEntryAspect[] {
  if (!a.present || !b.present) return a.present === b.present ? [] : ['presence'];
  const out: CacheEntryAspect[] = [];
  if (a.valid !== b.valid) out.push('validity');
  // An invalid emulated entry's words mean nothing (it keeps its last contents).
  if ((cache === 'accel' || (a.valid && b.valid)) && !sameWords(a.entry, b.entry)) {
    out.push('words');
  }
  if (cache === 'accel' && orderDiffers) out.push('position');
  return out;
}

/** Per accel PASID, its rank among the PASIDs that both lists of one device hold. */
function commonRanks(
  a: readonly { pasid: number }[],
  b: readonly { pasid: number }[],
): Map<number, number> {
  const inB = new Set(b.map((e) => e.pasid));
  const ranks = new Map<number, number>();
  for (const e of a) if (inB.has(e.pasid)) ranks.set(e.pasid, ranks.size);
  return ranks;
}

const ABSENT: CacheEntryState = { present: false };

function entryKey(cache: CacheKind, bdf: string, pasid: number): string {
  return `${cache} ${bdf} ${pasid}`;
}

/** Every cache entry of a final state, by key. */
function cacheEntries(
  state: CacheState,
): Map<string, { cache: CacheKind; bdf: string; pasid: number; state: CacheEntryState }> {
  const out = new Map<
    string,
    { cache: CacheKind; bdf: string; pasid: number; state: CacheEntryState }
  >();
  for (const [bdf, list] of Object.entries(state.accel)) {
    list.forEach((e, position) => {
      out.set(entryKey('accel', bdf, e.pasid), {
        cache: 'accel',
        bdf,
        pasid: e.pasid,
        state: { present: true, valid: true, entry: e.entry, position },
      });
    });
  }
  for (const [bdf, spaces] of Object.entries(state.emulated)) {
    for (const [key, e] of Object.entries(spaces)) {
      const pasid = Number(key);
      out.set(entryKey('emulated', bdf, pasid), {
        cache: 'emulated',
        bdf,
        pasid,
        state: { present: true, valid: e.valid, entry: e.entry },
      });
    }
  }
  return out;
}

function byVariant<T>(make: (v: Variant) => T): Record<Variant, T> {
  return { seed: make('seed'), series: make('series'), 'series-fixed': make('series-fixed') };
}

function union<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  for (const list of lists) for (const x of list) if (!out.includes(x)) out.push(x);
  return out;
}

/** Runs the scenario under seed, series and series-fixed and returns where they differ. */
export function compareVariants(scenario: Scenario): VariantComparison {
  const results = byVariant((variant) => runScenario(scenario, { variant }));
  const stepCount = scenario.steps.length;

  const steps: StepDifference[] = [];
  const pairSteps = VARIANT_PAIRS.map((): number[] => []);
  for (let i = 0; i < stepCount; i++) {
    const r = byVariant((v) => results[v].steps[i]);
    const { seed, series } = r;
    const fixed = r['series-fixed'];
    if (!seed || !series || !fixed) continue;
    const aspectsByPair = VARIANT_PAIRS.map(([a, b]) => {
      const ra = r[a];
      const rb = r[b];
      return ra && rb ? stepAspects(ra, rb) : [];
    });
    aspectsByPair.forEach((aspects, k) => {
      if (aspects.length) pairSteps[k]?.push(i);
    });
    const aspects = union(aspectsByPair);
    if (!aspects.length) continue;
    const note = scenario.steps[i]?.note;
    steps.push({
      index: i,
      op: seed.op,
      ...(note !== undefined ? { note } : {}),
      aspects,
      outcomes: {
        seed: outcomeOf(seed),
        series: outcomeOf(series),
        'series-fixed': outcomeOf(fixed),
      },
    });
  }

  const finals = byVariant((v) => cacheEntries(results[v].final));
  const keys = union(VARIANTS.map((v) => [...finals[v].keys()]));
  const rankCache = new Map<string, Map<number, number>>();
  const ranksOf = (a: Variant, b: Variant, bdf: string): Map<number, number> => {
    const key = `${a} ${b} ${bdf}`;
    let ranks = rankCache.get(key);
    if (!ranks) {
      ranks = commonRanks(results[a].final.accel[bdf] ?? [], results[b].final.accel[bdf] ?? []);
      rankCache.set(key, ranks);
    }
    return ranks;
  };
  const entries: CacheEntryDifference[] = [];
  const pairEntries = VARIANT_PAIRS.map(() => 0);
  for (const key of keys) {
    const any = finals.seed.get(key) ?? finals.series.get(key) ?? finals['series-fixed'].get(key);
    if (!any) continue;
    const states = byVariant((v) => finals[v].get(key)?.state ?? ABSENT);
    const aspectsByPair = VARIANT_PAIRS.map(([a, b]) => {
      let orderDiffers = false;
      if (any.cache === 'accel') {
        const rankA = ranksOf(a, b, any.bdf).get(any.pasid);
        const rankB = ranksOf(b, a, any.bdf).get(any.pasid);
        orderDiffers = rankA !== undefined && rankA !== rankB;
      }
      return cacheEntryAspects(any.cache, states[a], states[b], orderDiffers);
    });
    aspectsByPair.forEach((aspects, k) => {
      if (aspects.length) pairEntries[k] = (pairEntries[k] ?? 0) + 1;
    });
    const aspects = union(aspectsByPair);
    if (aspects.length) {
      entries.push({ cache: any.cache, bdf: any.bdf, pasid: any.pasid, aspects, states });
    }
  }
  // Device order of the scenario, then cache, then PASID: how a reader scans them.
  const deviceOrder = new Map(scenario.devices.map((d, i) => [d.bdf, i]));
  entries.sort(
    (x, y) =>
      (deviceOrder.get(x.bdf) ?? 0) - (deviceOrder.get(y.bdf) ?? 0) ||
      (x.cache === y.cache ? 0 : x.cache === 'accel' ? -1 : 1) ||
      x.pasid - y.pasid,
  );

  const iqe = byVariant((v) => results[v].final.iqe);
  const hostOf = (v: Variant, bdf: string) => results[v].final.host?.[bdf];
  const iommufd = scenario.devices.filter((d) => d.backend === 'iommufd').map((d) => d.bdf);
  const host = iommufd
    .filter((bdf) => VARIANT_PAIRS.some(([a, b]) => !sameHostState(hostOf(a, bdf), hostOf(b, bdf))))
    .map((bdf) => ({ bdf, states: byVariant((v) => hostOf(v, bdf) ?? NO_HOST) }));
  const pairs = VARIANT_PAIRS.map(([from, to], k) => ({
    from,
    to,
    steps: pairSteps[k] ?? [],
    finalEntries: pairEntries[k] ?? 0,
    iqeDiffers: iqe[from] !== iqe[to],
    hostDevices: iommufd.filter((bdf) => !sameHostState(hostOf(from, bdf), hostOf(to, bdf))),
  }));
  return {
    variants: VARIANTS,
    stepCount,
    steps,
    final: { iqe, entries, host },
    pairs,
    identical: pairs.every(
      (p) => !p.steps.length && !p.finalEntries && !p.iqeDiffers && !p.hostDevices.length,
    ),
  };
}

/** "steps 4 and 9" / "step 4" / "steps 1, 2, 3, 4 and 12 more". */
export function listSteps(indexes: readonly number[], max = 8): string {
  if (indexes.length === 1) return `step ${indexes[0] ?? 0}`;
  const shown = indexes.slice(0, max);
  const rest = indexes.length - shown.length;
  if (rest > 0) return `steps ${shown.join(', ')} and ${rest} more`;
  return `steps ${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] ?? 0}`;
}

/**
 * One line per pair worth pasting into a review, e.g.
 * "seed vs series: the outcome of steps 4 and 9 differs; final caches: 1 entry differs".
 */
export function describeComparison(cmp: VariantComparison): string[] {
  return cmp.pairs.slice(0, 2).map((p) => {
    const parts: string[] = [];
    if (p.steps.length) parts.push(`the outcome of ${listSteps(p.steps)} differs`);
    if (p.finalEntries) {
      parts.push(
        `final caches: ${p.finalEntries} entr${p.finalEntries === 1 ? 'y differs' : 'ies differ'}`,
      );
    }
    if (p.iqeDiffers) parts.push('FSTS.IQE ends differently');
    if (p.hostDevices.length) parts.push(`final host state differs on ${p.hostDevices.join(', ')}`);
    return `${p.from} vs ${p.to}: ${parts.length ? parts.join('; ') : 'no difference'}`;
  });
}

// ---- JSON (bigints as the contract writes words) ------------------------------------------------

function stateJson(s: CacheEntryState): Record<string, unknown> {
  if (!s.present) return { present: false };
  return {
    present: true,
    valid: s.valid,
    entry: s.entry.map(hex64),
    ...(s.position !== undefined ? { position: s.position } : {}),
  };
}

/** The comparison as plain JSON (64-bit words as "0x" + 16 hex digits). */
export function comparisonToJson(cmp: VariantComparison): Record<string, unknown> {
  return {
    variants: cmp.variants,
    stepCount: cmp.stepCount,
    identical: cmp.identical,
    summary: describeComparison(cmp),
    pairs: cmp.pairs,
    steps: cmp.steps.map((s) => ({
      index: s.index,
      op: s.op,
      ...(s.note !== undefined ? { note: s.note } : {}),
      aspects: s.aspects,
      outcomes: byVariant((v) => {
        const o = s.outcomes[v];
        return {
          status: o.status,
          ...(o.error !== undefined ? { error: o.error } : {}),
          ...(o.pcInfo ? { pcInfo: o.pcInfo } : {}),
          ...(o.accelWalk ? { accelWalk: o.accelWalk } : {}),
          changes: o.changes,
          hostOps: o.hostOps,
        };
      }),
    })),
    final: {
      iqe: cmp.final.iqe,
      entries: cmp.final.entries.map((e) => ({
        cache: e.cache,
        bdf: e.bdf,
        pasid: e.pasid,
        aspects: e.aspects,
        states: byVariant((v) => stateJson(e.states[v])),
      })),
      host: cmp.final.host,
    },
  };
}

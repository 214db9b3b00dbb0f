// The model's variant comparison, shaped for the page: what differs per pair of variants (the
// model keeps only the union over pairs), step numbers as the app shows them, and long lists
// capped so that a 2^20-PASID walk does not ship millions of changes to the page.

import {
  VARIANTS,
  cacheEntryAspects,
  compareVariants,
  describeComparison,
  stepAspects,
  type CacheEntryAspect,
  type CacheEntryDifference,
  type Scenario,
  type StepAspect,
  type StepDifference,
  type StepOutcome,
  type Variant,
  type VariantComparison,
} from '../model/index.ts';
import {
  COMPARE_MAX_CHANGES,
  COMPARE_MAX_ENTRIES,
  COMPARE_MAX_STEPS,
  type AppComparison,
  type ComparedOutcome,
  type ComparedPair,
  type ComparedStep,
} from './protocol.ts';

function outcomeAspects(step: StepDifference, a: StepOutcome, b: StepOutcome): StepAspect[] {
  // stepAspects reads the fields a StepOutcome carries; index and op are the step's own.
  return stepAspects(
    { index: step.index, op: step.op, ...a },
    { index: step.index, op: step.op, ...b },
  );
}

/**
 * For one pair (a, b): each final entry's aspects between a and b only. An accel entry's place
 * counts among the entries both lists hold, as the model counts it: its rank in a's list minus
 * the entries before it that b lacks (all of which are in `entries`, since a missing entry is a
 * difference), compared with the same rank in b's list.
 */
export function pairEntryAspects(
  entries: readonly CacheEntryDifference[],
  a: Variant,
  b: Variant,
): CacheEntryAspect[][] {
  const onlyIn = (v: Variant, other: Variant, bdf: string): number[] =>
    entries
      .filter((e) => e.cache === 'accel' && e.bdf === bdf)
      .map((e) => [e.states[v], e.states[other]] as const)
      .flatMap(([x, y]) =>
        x.present && !y.present && x.position !== undefined ? [x.position] : [],
      );
  const memo = new Map<string, number[]>();
  const missingBefore = (v: Variant, other: Variant, bdf: string, position: number): number => {
    const key = `${v} ${bdf}`;
    let list = memo.get(key);
    if (!list) {
      list = onlyIn(v, other, bdf);
      memo.set(key, list);
    }
    return list.filter((p) => p < position).length;
  };
  return entries.map((e) => {
    const sa = e.states[a];
    const sb = e.states[b];
    let orderDiffers = false;
    if (
      e.cache === 'accel' &&
      sa.present &&
      sb.present &&
      sa.position !== undefined &&
      sb.position !== undefined
    ) {
      const rankA = sa.position - missingBefore(a, b, e.bdf, sa.position);
      const rankB = sb.position - missingBefore(b, a, e.bdf, sb.position);
      orderDiffers = rankA !== rankB;
    }
    return cacheEntryAspects(e.cache, sa, sb, orderDiffers);
  });
}

function capOutcome(o: StepOutcome): ComparedOutcome {
  return {
    status: o.status,
    ...(o.error !== undefined ? { error: o.error } : {}),
    ...(o.pcInfo ? { pcInfo: o.pcInfo } : {}),
    ...(o.accelWalk ? { accelWalk: o.accelWalk } : {}),
    changes: o.changes.slice(0, COMPARE_MAX_CHANGES),
    changeCount: o.changes.length,
  };
}

function byVariant<T>(make: (v: Variant) => T): Record<Variant, T> {
  return { seed: make('seed'), series: make('series'), 'series-fixed': make('series-fixed') };
}

/** The review lines with the app's step numbers (from 1, like the Steps list and the timeline). */
export function appSummary(cmp: VariantComparison): string[] {
  return describeComparison({
    ...cmp,
    pairs: cmp.pairs.map((p) => ({ ...p, steps: p.steps.map((i) => i + 1) })),
  });
}

/** Shapes a model comparison for the page (pure; the worker times it). */
export function shapeComparison(cmp: VariantComparison, ms = 0): AppComparison {
  const shown = cmp.steps.slice(0, COMPARE_MAX_STEPS);
  const stepByIndex = new Map(shown.map((s) => [s.index, s]));
  const pairs: ComparedPair[] = cmp.pairs.map((p) => {
    const entryAspects = pairEntryAspects(cmp.final.entries, p.from, p.to);
    const steps = p.steps.flatMap((index) => {
      const s = stepByIndex.get(index);
      if (!s) return [];
      return [{ index, aspects: outcomeAspects(s, s.outcomes[p.from], s.outcomes[p.to]) }];
    });
    const entries = entryAspects
      .map((aspects, at) => ({ at, aspects }))
      .filter((e) => e.aspects.length > 0 && e.at < COMPARE_MAX_ENTRIES);
    return {
      from: p.from,
      to: p.to,
      steps,
      stepsDiffering: p.steps.length,
      entries,
      entryCount: p.finalEntries,
      iqeDiffers: p.iqeDiffers,
    };
  });
  const steps: ComparedStep[] = shown.map((s) => ({
    index: s.index,
    op: s.op,
    ...(s.note !== undefined ? { note: s.note } : {}),
    aspects: s.aspects,
    outcomes: byVariant((v) => capOutcome(s.outcomes[v])),
  }));
  return {
    variants: VARIANTS,
    stepCount: cmp.stepCount,
    identical: cmp.identical,
    summary: appSummary(cmp),
    steps,
    stepsDiffering: cmp.steps.length,
    entries: cmp.final.entries.slice(0, COMPARE_MAX_ENTRIES),
    entriesDiffering: cmp.final.entries.length,
    iqe: cmp.final.iqe,
    pairs,
    ms,
  };
}

/** Runs the three variants and shapes the comparison. */
export function compareForApp(scenario: Scenario): AppComparison {
  const t0 = performance.now();
  const cmp = compareVariants(scenario);
  return shapeComparison(cmp, performance.now() - t0);
}

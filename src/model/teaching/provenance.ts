// Provenance of a cache entry: which step created it and which last updated it, which guest write
// step(s) produced the words it holds (field by field when different writes did), and, for a stale
// entry, the write that made it stale. Read from the scenario, its run and the run's trace.

import type { StructureLayout } from '../bits/bitFields.ts';
import { PASID_ENTRY } from '../bits/structures.ts';
import { memoryAtStep } from '../run/memoryAtStep.ts';
import type { CacheKind, RunResult } from '../run/runTypes.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { LeafOutcome } from '../trace/traceFormat.ts';
import { readTraceEvent, traceStepRange } from '../trace/traceReader.ts';
import { targetKey } from './predictReveal.ts';

/** Where a word came from: a write step, the scenario's initial memory, or nowhere (zero). */
export type WordOrigin =
  | { readonly kind: 'step'; readonly step: number }
  | { readonly kind: 'initial' }
  | { readonly kind: 'never-written' };

export interface FieldOrigin {
  readonly field: string;
  readonly label: string;
  readonly origin: WordOrigin;
}

export interface EntryProvenance {
  readonly cache: CacheKind;
  readonly bdf: string;
  readonly pasid: number;
  /** The step the question is asked at. */
  readonly atStep: number;
  /** The step that (last) created the entry. */
  readonly createdAt: number;
  /** The step that last created or updated it. */
  readonly updatedAt: number;
  /** Guest address the cached words were read from; undefined = an all-zero buffer. */
  readonly source: bigint | undefined;
  /** The words the entry holds. */
  readonly words: readonly bigint[];
  /** Per word (0..7): where guest memory got that word before the update. */
  readonly wordOrigins: readonly WordOrigin[];
  /** Per field of the PASID entry that is not reserved: its word's origin. */
  readonly fieldOrigins: readonly FieldOrigin[];
  /** The distinct write steps behind the words, in step order. */
  readonly writeSteps: readonly number[];
  /** When guest memory no longer matches: the first write step after the update that changed it. */
  readonly staleSince: number | undefined;
}

const ENTRY_WORDS = 8;

/** The entry's creation and last update up to and including `atStep`, or undefined if not cached. */
function history(run: RunResult, key: string, atStep: number) {
  let createdAt: number | undefined;
  let updatedAt: number | undefined;
  for (let s = 0; s <= atStep && s < run.steps.length; s++) {
    for (const c of run.steps[s]?.changes ?? []) {
      if (targetKey(c) !== key) continue;
      if (c.kind === 'removed') createdAt = updatedAt = undefined;
      else {
        if (c.kind === 'created') createdAt = s;
        updatedAt = s;
      }
    }
  }
  return createdAt !== undefined && updatedAt !== undefined ? { createdAt, updatedAt } : undefined;
}

/** The guest address the step's run read the entry from (undefined: an all-zero buffer). */
function sourceOf(run: RunResult, step: number, cache: CacheKind, bdf: string, pasid: number) {
  const { start, end } = traceStepRange(run.trace, step);
  let source: bigint | undefined;
  for (let i = start; i < end; i++) {
    const e = readTraceEvent(run.trace, i);
    if (!('bdf' in e) || e.bdf !== bdf) continue;
    if (cache === 'emulated' && e.kind === 'EmuCreated' && e.pasid === pasid) source = e.source;
    if (
      cache === 'accel' &&
      e.kind === 'LeafChecked' &&
      (e.outcome === LeafOutcome.Created || e.outcome === LeafOutcome.Updated) &&
      pasid >= e.firstPasid &&
      pasid < e.firstPasid + e.count
    ) {
      source = e.addr + BigInt((pasid - e.firstPasid) * 64);
    }
  }
  return source;
}

/** The last write before `beforeStep` that covers `addr`, else initial memory, else nothing. */
function originOf(scenario: Scenario, addr: bigint, beforeStep: number): WordOrigin {
  for (let s = beforeStep - 1; s >= 0; s--) {
    const st = scenario.steps[s];
    if (st?.op === 'write' && addr >= st.addr && addr < st.addr + BigInt(8 * st.qwords.length))
      return { kind: 'step', step: s };
  }
  const initial = scenario.memory.some(
    (b) => addr >= b.addr && addr < b.addr + BigInt(8 * b.qwords.length),
  );
  return initial ? { kind: 'initial' } : { kind: 'never-written' };
}

function fieldOrigins(layout: StructureLayout, words: readonly WordOrigin[]): FieldOrigin[] {
  return layout.fields
    .filter((f) => f.kind !== 'reserved')
    .map((f) => ({
      field: f.name,
      label: f.label,
      origin: words[f.word] ?? { kind: 'never-written' },
    }));
}

export function entryProvenance(
  scenario: Scenario,
  run: RunResult,
  entry: { readonly cache: CacheKind; readonly bdf: string; readonly pasid: number },
  atStep: number,
): EntryProvenance | undefined {
  const h = history(run, targetKey(entry), atStep);
  if (!h) return undefined;
  const { cache, bdf, pasid } = entry;
  const source = sourceOf(run, h.updatedAt, cache, bdf, pasid);
  const mem = memoryAtStep(scenario, h.updatedAt);
  const words = Array.from({ length: ENTRY_WORDS }, (_, i) =>
    source === undefined ? 0n : mem.readQword(source + BigInt(8 * i)),
  );
  const wordOrigins: WordOrigin[] = words.map((_, i) =>
    source === undefined
      ? { kind: 'never-written' }
      : originOf(scenario, source + BigInt(8 * i), h.updatedAt),
  );
  let staleSince: number | undefined;
  if (source !== undefined) {
    const now = [...words];
    for (let s = h.updatedAt + 1; s <= atStep && staleSince === undefined; s++) {
      const st = scenario.steps[s];
      if (st?.op !== 'write') continue;
      st.qwords.forEach((q, j) => {
        const i = Number((st.addr + BigInt(8 * j) - source) / 8n);
        const inEntry = st.addr + BigInt(8 * j) >= source && i < ENTRY_WORDS;
        if (inEntry) now[i] = q;
      });
      if (now.some((w, i) => w !== words[i])) staleSince = s;
    }
  }
  const writeSteps = [
    ...new Set(wordOrigins.flatMap((o) => (o.kind === 'step' ? [o.step] : []))),
  ].sort((a, b) => a - b);
  return {
    cache,
    bdf,
    pasid,
    atStep,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
    source,
    words,
    wordOrigins,
    fieldOrigins: fieldOrigins(PASID_ENTRY, wordOrigins),
    writeSteps,
    staleSince,
  };
}

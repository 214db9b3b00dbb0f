// Words for the variant comparison: one outcome, one cache entry, and the whole comparison as
// Markdown for a review. Steps are numbered from 1, as everywhere in the app.

import {
  INLINE_SCENARIO_BEGIN,
  INLINE_SCENARIO_END,
  MAIL_WIDTH,
  PASID_ENTRY,
  PGTT_NAMES,
  decodeFields,
  decodePasidEntry,
  type CacheChange,
  type CacheEntryAspect,
  type CacheEntryState,
  type CacheKind,
  type Scenario,
  type StepAspect,
  type Variant,
} from '../../model/core.ts';
import {
  type AppComparison,
  type ComparedEntry,
  type ComparedOutcome,
  type ComparedPair,
  describeStep,
} from '../../state/index.ts';

export const STEP_ASPECT_LABELS: Readonly<Record<StepAspect, string>> = {
  status: 'status',
  error: 'error',
  pcInfo: 'pc_info',
  changes: 'cache changes',
  accelWalk: 'walk counters',
  hostOps: 'host calls',
};

export const ENTRY_ASPECT_LABELS: Readonly<Record<CacheEntryAspect, string>> = {
  presence: 'present in one, absent in the other',
  validity: 'valid in one only',
  words: 'different words',
  position: 'different place in the accel list',
};

/** What each pair means to a reviewer. */
export function pairRole(pair: { readonly from: Variant; readonly to: Variant }): string {
  if (pair.from === 'seed' && pair.to === 'series') return 'the patch';
  if (pair.from === 'series' && pair.to === 'series-fixed') return 'the fix';
  return 'end to end';
}

const MARK: Readonly<Record<CacheChange['kind'], string>> = {
  created: '+',
  updated: '~',
  removed: '−',
};

export function describeChange(c: CacheChange): string {
  return `${MARK[c.kind]} ${c.cache} ${c.bdf} PASID ${c.pasid} ${c.kind}`;
}

export function walkText(o: ComparedOutcome): string | undefined {
  const w = o.accelWalk;
  if (!w) return undefined;
  return `walk ${w.dirReads} dir / ${w.entryReads} leaf reads, ${w.listCompares} list compares`;
}

export function statusText(o: ComparedOutcome): string {
  return o.error ? `${o.status}: ${o.error}` : o.status;
}

/** The changes of an outcome, at most `max` of them, and how many more there are. */
export function changeLines(o: ComparedOutcome, max = 6): { lines: string[]; more: number } {
  const lines = o.changes.slice(0, max).map(describeChange);
  return { lines, more: o.changeCount - lines.length };
}

/** One line for an outcome (the Markdown table cell). */
export function outcomeText(o: ComparedOutcome, max = 4): string {
  const parts = [statusText(o)];
  const walk = walkText(o);
  if (walk) parts.push(walk);
  if (o.changeCount === 0) parts.push('no cache change');
  else {
    const { lines, more } = changeLines(o, max);
    parts.push(lines.join(', ') + (more > 0 ? ` and ${more} more` : ''));
  }
  return parts.join('; ');
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** A cache entry as one variant ends: absent, or where it is and what it holds. */
export function entryStateText(cache: CacheKind, s: CacheEntryState): string {
  if (!s.present) return 'absent';
  const e = decodePasidEntry(s.entry);
  const pointer =
    e.pgtt === 1
      ? ` · FSPTPTR ${hex(e.fsptptr)}`
      : e.pgtt === 2
        ? ` · SSPTPTR ${hex(e.ssptptr)}`
        : '';
  const where =
    cache === 'accel'
      ? `pos ${(s.position ?? 0) + 1}${s.position === 0 ? ' (head)' : ''}`
      : s.valid
        ? 'valid'
        : 'invalid';
  return `${where} · DID ${e.did} · ${PGTT_NAMES[e.pgtt] ?? `PGTT ${e.pgtt}`}${pointer}`;
}

/** The fields in which two present entries differ ("DID 3 → 4"). */
export function entryFieldDiff(a: CacheEntryState, b: CacheEntryState): string[] {
  if (!a.present || !b.present) return [];
  const x = decodeFields(PASID_ENTRY, a.entry);
  const y = decodeFields(PASID_ENTRY, b.entry);
  const out: string[] = [];
  for (const f of PASID_ENTRY.fields) {
    const u = x[f.name] ?? 0n;
    const v = y[f.name] ?? 0n;
    if (u === v) continue;
    const fmt = (n: bigint): string => (f.kind === 'address' ? hex(n) : n.toString());
    out.push(`${f.label} ${fmt(u)} → ${fmt(v)}`);
  }
  for (let i = 3; i < 8; i++) {
    const u = a.entry[i] ?? 0n;
    const v = b.entry[i] ?? 0n;
    if (u !== v) out.push(`val[${i}] ${hex(u)} → ${hex(v)}`);
  }
  return out;
}

export function entryName(e: ComparedEntry): string {
  return `${e.cache} ${e.bdf} PASID ${e.pasid}`;
}

/** "Step 3" and what the step is. */
export function stepLabel(scenario: Scenario | undefined, index: number): string {
  const step = scenario?.steps[index];
  return step ? describeStep(step) : '';
}

// ---- Markdown ------------------------------------------------------------------------------------

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface MarkdownOptions {
  /** Where the scenario came from ("preset torn-down-entry"). */
  readonly source?: string;
  /** A link to a public PASIDscope that opens the scenario, when the build has an address. */
  readonly link?: string;
  /** Else the scenario's share fragment, attached as a block Import > Paste loads back. */
  readonly inline?: string;
}

/** The comparison as Markdown to paste into a review: the summary lines first, then the detail. */
export function comparisonMarkdown(
  cmp: AppComparison,
  scenario: Scenario,
  options: MarkdownOptions = {},
): string {
  const title = scenario.title ?? 'Untitled scenario';
  const out: string[] = [];
  out.push(
    `**PASIDscope variant comparison** — ${title}${options.source ? ` (${options.source})` : ''}`,
  );
  out.push('');
  for (const line of cmp.summary) out.push(`- ${line}`);
  if (cmp.identical) {
    out.push('');
    out.push(
      `All variants (${cmp.variants.join(', ')}) agree on all ${cmp.stepCount} steps and on the final caches.`,
    );
  }
  if (cmp.steps.length) {
    out.push('');
    out.push(`Steps that differ (${cmp.stepsDiffering} of ${cmp.stepCount}; numbered from 1):`);
    out.push('');
    out.push(`| Step | What | Differs in | ${cmp.variants.join(' | ')} |`);
    out.push(`|---|---|---|${cmp.variants.map(() => '---').join('|')}|`);
    for (const s of cmp.steps) {
      const what = stepLabel(scenario, s.index) + (s.note ? ` — ${s.note}` : '');
      out.push(
        `| ${s.index + 1} | ${cell(what)} | ${s.aspects.map((a) => STEP_ASPECT_LABELS[a]).join(', ')} | ${cmp.variants
          .map((v) => cell(outcomeText(s.outcomes[v])))
          .join(' | ')} |`,
      );
    }
    if (cmp.stepsDiffering > cmp.steps.length) {
      out.push('');
      out.push(`(${cmp.stepsDiffering - cmp.steps.length} more steps differ.)`);
    }
  }
  if (cmp.entries.length) {
    out.push('');
    out.push(`Final cache entries that differ (${cmp.entriesDiffering}):`);
    out.push('');
    out.push(`| Entry | Differs in | ${cmp.variants.join(' | ')} |`);
    out.push(`|---|---|${cmp.variants.map(() => '---').join('|')}|`);
    for (const e of cmp.entries) {
      out.push(
        `| ${entryName(e)} | ${e.aspects.map((a) => ENTRY_ASPECT_LABELS[a]).join(', ')} | ${cmp.variants
          .map((v) => cell(entryStateText(e.cache, e.states[v])))
          .join(' | ')} |`,
      );
    }
    if (cmp.entriesDiffering > cmp.entries.length) {
      out.push('');
      out.push(`(${cmp.entriesDiffering - cmp.entries.length} more entries differ.)`);
    }
  }
  if (Object.values(cmp.iqe).some((v) => v !== cmp.iqe.seed)) {
    out.push('');
    out.push(
      `FSTS.IQE at the end: ${cmp.variants.map((v) => `${v} ${cmp.iqe[v] ? 'set' : 'clear'}`).join(', ')}.`,
    );
  }
  if (options.link) {
    out.push('');
    out.push(`[Open this scenario in PASIDscope](${options.link})`);
  } else if (options.inline) {
    out.push('', 'The scenario (PASIDscope: Import > Paste this block to open it):', '', '```text');
    out.push(INLINE_SCENARIO_BEGIN);
    for (let i = 0; i < options.inline.length; i += MAIL_WIDTH) {
      out.push(options.inline.slice(i, i + MAIL_WIDTH));
    }
    out.push(INLINE_SCENARIO_END, '```');
  }
  return `${out.join('\n')}\n`;
}

/** The steps and entries that differ for one pair, in the order the panel lists them. */
export function pairCounts(pair: ComparedPair): string {
  const parts: string[] = [];
  parts.push(`${pair.stepsDiffering} step${pair.stepsDiffering === 1 ? '' : 's'}`);
  parts.push(`${pair.entryCount} entr${pair.entryCount === 1 ? 'y' : 'ies'}`);
  return parts.join(', ');
}

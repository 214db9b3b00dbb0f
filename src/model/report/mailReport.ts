// A run as plain text for a mail or a review: at most 72 columns, no colour, nothing that needs
// the app to read. The scenario (title, IOMMU settings, devices), every step with its outcome and
// cache changes, the final caches, optional extra sections (the variant comparison of
// `pasidscope report --compare`), and the scenario itself: a link to a public PASIDscope, or the
// share payload inline, which the app's Import > Paste loads back. `pasidscope report` and the
// app's "Copy as text" both print this, so a reviewer gets the same words from either.

import type { CacheChange, RunResult, StepResult } from '../run/runTypes.ts';
import type { Scenario, ScenarioStep } from '../scenario/scenarioTypes.ts';
import { describeDescriptor } from './describeDescriptor.ts';

export const MAIL_WIDTH = 72;
/** Changes listed per step; the rest are counted. */
const CHANGES_SHOWN = 6;

/** The lines that fence an inline scenario (the payload of a share link, wrapped). */
export const INLINE_SCENARIO_BEGIN = '-----BEGIN PASIDSCOPE SCENARIO-----';
export const INLINE_SCENARIO_END = '-----END PASIDSCOPE SCENARIO-----';

export type ScenarioAttachment =
  /** Where the scenario opens (a public PASIDscope with the share fragment). */
  | { readonly kind: 'link'; readonly url: string }
  /** The share fragment ("scenario=1.<payload>"), printed inline. */
  | { readonly kind: 'inline'; readonly fragment: string };

export interface MailReportOptions {
  /** Where the scenario came from ("preset torn-down-entry", a file name). */
  readonly source?: string;
  readonly attachment?: ScenarioAttachment;
  /** Sections added before the scenario (already at most 72 columns wide). */
  readonly sections?: readonly (readonly string[])[];
}

/** Words wrapped to `width` columns; continuation lines get `indent` more spaces. */
export function wrapText(text: string, width = MAIL_WIDTH, indent = 2): string[] {
  // A line that fits keeps its spacing (aligned columns).
  if (text.length <= width) return [text.trimEnd()];
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const words = text.trim().split(/\s+/);
  const out: string[] = [];
  let line = lead;
  const more = `${lead}${' '.repeat(indent)}`;
  for (const word of words) {
    const fresh = line.trim() === '';
    if (!fresh && line.length + 1 + word.length > width) {
      out.push(line);
      line = more;
    }
    // A word longer than a line (a long hex run) is cut, so no line is ever wider than `width`.
    let rest = word;
    while (line.length + (line.trim() === '' ? 0 : 1) + rest.length > width && rest.length > 0) {
      const room = width - line.length - (line.trim() === '' ? 0 : 1);
      if (room <= 0) {
        out.push(line);
        line = more;
        continue;
      }
      line += (line.trim() === '' ? '' : ' ') + rest.slice(0, room);
      rest = rest.slice(room);
      out.push(line);
      line = more;
    }
    if (rest) line += (line.trim() === '' ? '' : ' ') + rest;
  }
  if (line.trim() !== '') out.push(line);
  return out;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

export function describeScenarioStep(step: ScenarioStep): string {
  switch (step.op) {
    case 'write':
      return `write ${plural(step.qwords.length, 'qword')} at ${hex(step.addr)}`;
    case 'invalidate':
      return describeDescriptor(step.desc);
    case 'clearIqe':
      return 'clear FSTS.IQE';
  }
}

const MARK: Readonly<Record<CacheChange['kind'], string>> = {
  created: '+',
  updated: '~',
  removed: '-',
};

export function describeCacheChange(c: CacheChange): string {
  return `${MARK[c.kind]} ${c.cache} ${c.bdf} PASID ${c.pasid} ${c.kind}`;
}

export function describeOutcomeText(r: {
  readonly status: StepResult['status'];
  readonly error?: string;
  readonly accelWalk?: StepResult['accelWalk'];
}): string {
  const parts: string[] = [r.status];
  if (r.error) parts[0] = `${r.status}: ${r.error}`;
  const w = r.accelWalk;
  if (w && (w.dirReads || w.entryReads || w.listCompares)) {
    parts.push(
      `walk ${w.dirReads} dir / ${w.entryReads} leaf reads, ${plural(w.listCompares, 'list compare')}`,
    );
  }
  return parts.join('; ');
}

/** The change lines of one outcome: at most CHANGES_SHOWN, then how many more. */
export function changeLines(changes: readonly CacheChange[], omitted = 0): string[] {
  const total = changes.length + omitted;
  if (total === 0) return ['no cache change'];
  const shown = changes.slice(0, CHANGES_SHOWN).map(describeCacheChange);
  if (total > shown.length) shown.push(`... and ${plural(total - shown.length, 'more change')}`);
  return shown;
}

function scenarioLines(scenario: Scenario, result: RunResult, source?: string): string[] {
  const c = scenario.iommu;
  const out = [
    ...wrapText(`PASIDscope report: ${scenario.title ?? 'Untitled scenario'}`, MAIL_WIDTH, 2),
    ...wrapText(`${source ? `From ${source}; ` : ''}variant ${result.variant}`, MAIL_WIDTH, 2),
    '',
    'IOMMU',
    ...wrapText(
      `  scalable mode ${c.scalableMode ? 'on' : 'off'}, fsts ${c.fsts ? 'on' : 'off'}, pasid-bits ${c.pasidBits}, aw-bits ${c.awBits}, ${c.queueWidth}-bit descriptors, root table ${hex(c.rootTableAddr)}${c.rootScalable ? ' (scalable)' : ''}, DMA remapping ${c.dmarEnabled ? 'on' : 'off'}`,
    ),
    `Devices (${scenario.devices.length})`,
  ];
  for (const d of scenario.devices) {
    const pasids = d.maxPasidLog2 ? `, ${d.maxPasidLog2} PASID bits` : '';
    out.push(...wrapText(`  ${d.bdf}${d.name ? ` ${d.name}` : ''}: ${d.backend}${pasids}`));
  }
  return out;
}

function stepLines(scenario: Scenario, result: RunResult): string[] {
  const out = ['', `Steps (${scenario.steps.length}, numbered from 1)`];
  scenario.steps.forEach((step, i) => {
    const r = result.steps[i];
    const head = `  ${i + 1}. ${describeScenarioStep(step)}`;
    out.push(...wrapText(head, MAIL_WIDTH, 3));
    const pad = ' '.repeat(4 + String(i + 1).length);
    if (step.note) out.push(...wrapText(`${pad}-- ${step.note}`, MAIL_WIDTH, 3));
    if (!r) return;
    out.push(...wrapText(`${pad}${describeOutcomeText(r)}`, MAIL_WIDTH, 2));
    for (const line of changeLines(r.changes, r.changesOmitted ?? 0)) {
      out.push(...wrapText(`${pad}${line}`, MAIL_WIDTH, 2));
    }
  });
  return out;
}

function finalLines(result: RunResult): string[] {
  const f = result.final;
  const out = ['', 'Final caches'];
  const accel = Object.entries(f.accel).filter(([, list]) => list.length);
  for (const [bdf, list] of accel) {
    out.push(
      ...wrapText(`  accel ${bdf}: PASID ${list.map((e) => e.pasid).join(', ')} (list order)`),
    );
  }
  for (const [bdf, spaces] of Object.entries(f.emulated)) {
    const entries = Object.entries(spaces);
    if (!entries.length) continue;
    const valid = entries.filter(([, e]) => e.valid).map(([p]) => p);
    const invalid = entries.filter(([, e]) => !e.valid).map(([p]) => p);
    const parts = [
      valid.length ? `valid PASID ${valid.join(', ')}` : '',
      invalid.length ? `invalid PASID ${invalid.join(', ')}` : '',
    ].filter(Boolean);
    out.push(...wrapText(`  emulated ${bdf}: ${parts.join('; ')}`));
  }
  if (out.length === 2) out.push('  both caches are empty');
  out.push(`  FSTS.IQE ${f.iqe ? 'set' : 'clear'}`);
  return out;
}

function attachmentLines(a: ScenarioAttachment): string[] {
  if (a.kind === 'link') return ['', 'Open the scenario in PASIDscope:', a.url];
  const body: string[] = [];
  for (let i = 0; i < a.fragment.length; i += MAIL_WIDTH) {
    body.push(a.fragment.slice(i, i + MAIL_WIDTH));
  }
  return [
    '',
    'The scenario (PASIDscope: Import > Paste this block to open it):',
    INLINE_SCENARIO_BEGIN,
    ...body,
    INLINE_SCENARIO_END,
  ];
}

export function formatMailReport(
  scenario: Scenario,
  result: RunResult,
  options: MailReportOptions = {},
): string {
  const out = [
    ...scenarioLines(scenario, result, options.source),
    ...stepLines(scenario, result),
    ...finalLines(result),
  ];
  for (const section of options.sections ?? []) out.push('', ...section);
  if (options.attachment) out.push(...attachmentLines(options.attachment));
  return `${out.join('\n')}\n`;
}

/**
 * The share fragment inside a pasted text: an inline block of a report (even quoted with "> " or
 * re-wrapped by a mail client), or a share link. Undefined when the text holds neither.
 */
export function inlineScenarioFragment(text: string): string | undefined {
  const begin = text.indexOf(INLINE_SCENARIO_BEGIN);
  if (begin >= 0) {
    const end = text.indexOf(INLINE_SCENARIO_END, begin);
    const body = text.slice(begin + INLINE_SCENARIO_BEGIN.length, end < 0 ? undefined : end);
    const joined = body
      .split('\n')
      .map((l) => l.replace(/^[\s>]*/, '').trim())
      .join('');
    return joined.startsWith('scenario=') ? joined : undefined;
  }
  const link = /#(?:[^\s#]*&)?(scenario=\d+\.[A-Za-z0-9+\-$]+)/.exec(text);
  return link?.[1];
}

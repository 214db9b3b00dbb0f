// The variant comparison as a section of the mail report (`pasidscope report --compare`): the
// summary, then per differing step and final entry what each variant did, 72 columns at most.

import type { VariantComparison } from '../compare/compareVariants.ts';
import { describeHostOp } from '../run/hostOpText.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { VARIANTS } from '../scenario/scenarioTypes.ts';
import {
  MAIL_WIDTH,
  changeLines,
  describeOutcomeText,
  describeScenarioStep,
  wrapText,
} from './mailReport.ts';

const VARIANT_WIDTH = Math.max(...VARIANTS.map((v) => v.length));

export function mailComparisonLines(scenario: Scenario, cmp: VariantComparison): string[] {
  const out = ['Variant differences (seed, series, series-fixed)'];
  for (const p of cmp.pairs) {
    const parts = [
      p.steps.length
        ? `step${p.steps.length === 1 ? '' : 's'} ${p.steps.map((i) => i + 1).join(', ')} differ${p.steps.length === 1 ? 's' : ''}`
        : '',
      p.finalEntries
        ? `${p.finalEntries} final cache entr${p.finalEntries === 1 ? 'y differs' : 'ies differ'}`
        : '',
      p.iqeDiffers ? 'FSTS.IQE ends differently' : '',
    ].filter(Boolean);
    const what = parts.length ? parts.join('; ') : 'no difference';
    out.push(...wrapText(`  ${p.from} vs ${p.to}: ${what}`, MAIL_WIDTH, 2));
  }
  if (cmp.identical) return out;
  for (const d of cmp.steps) {
    const step = scenario.steps[d.index];
    out.push('', ...wrapText(`  Step ${d.index + 1}. ${step ? describeScenarioStep(step) : d.op}`));
    out.push(...wrapText(`    differs in: ${d.aspects.join(', ')}`));
    for (const v of VARIANTS) {
      const o = d.outcomes[v];
      const lead = `    ${v.padEnd(VARIANT_WIDTH)}  `;
      out.push(...wrapText(`${lead}${describeOutcomeText(o)}`, MAIL_WIDTH, VARIANT_WIDTH + 2));
      for (const c of changeLines(o.changes)) {
        out.push(...wrapText(`${' '.repeat(lead.length)}${c}`, MAIL_WIDTH, 2));
      }
      // Host calls are listed only where they are what differs: elsewhere they would bury the
      // cache changes a reviewer reads first.
      if (d.aspects.includes('hostOps')) {
        const ops = o.hostOps.length ? o.hostOps.map(describeHostOp) : ['no host call'];
        for (const h of ops) {
          out.push(...wrapText(`${' '.repeat(lead.length)}host: ${h}`, MAIL_WIDTH, 6));
        }
      }
    }
  }
  if (cmp.final.entries.length) {
    out.push('', '  Final cache entries that differ');
    for (const e of cmp.final.entries) {
      out.push(...wrapText(`    ${e.cache} ${e.bdf} PASID ${e.pasid}: ${e.aspects.join(', ')}`));
      for (const v of VARIANTS) {
        const s = e.states[v];
        const state = !s.present
          ? 'absent'
          : s.position !== undefined
            ? `list position ${s.position + 1}`
            : s.valid
              ? 'valid'
              : 'invalid';
        out.push(...wrapText(`      ${v.padEnd(VARIANT_WIDTH)}  ${state}`));
      }
    }
  }
  if (VARIANTS.some((v) => cmp.final.iqe[v] !== cmp.final.iqe.seed)) {
    out.push(
      ...wrapText(
        `  FSTS.IQE at the end: ${VARIANTS.map((v) => `${v} ${cmp.final.iqe[v] ? 'set' : 'clear'}`).join(', ')}`,
      ),
    );
  }
  return out;
}

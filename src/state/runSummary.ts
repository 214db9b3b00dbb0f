// Words for what happened: a descriptor's name, a step's outcome, a run's announcement.

import {
  describeDescriptor,
  type CacheChange,
  type Scenario,
  type ScenarioStep,
  type StepResult,
} from '../model/core.ts';
import type { AppRun, FocusChanges } from '../worker/protocol.ts';

// Moved to the model (the mail report and the CLI name descriptors the same way).
export { describeDescriptor, sidToBdf } from '../model/core.ts';

export function describeStep(step: ScenarioStep): string {
  switch (step.op) {
    case 'write':
      return step.note ?? `write ${step.qwords.length} word(s) at 0x${step.addr.toString(16)}`;
    case 'invalidate':
      return describeDescriptor(step.desc);
    case 'clearIqe':
      return 'clear FSTS.IQE';
  }
}

export type ChangeCounts = FocusChanges['counts'];

/** Changes counted by cache and kind. */
export function changeCounts(changes: readonly CacheChange[]): ChangeCounts {
  const counts = {
    accel: { created: 0, updated: 0, removed: 0 },
    emulated: { created: 0, updated: 0, removed: 0 },
  };
  for (const c of changes) counts[c.cache][c.kind]++;
  return counts;
}

/** "accel: 3 created, 1 updated; emulated: 1 removed" (from a list or from counts, for a step
 * whose list the run capped). */
export function countChanges(changes: readonly CacheChange[] | ChangeCounts): string {
  const counts = Array.isArray(changes) ? changeCounts(changes) : (changes as ChangeCounts);
  const parts: string[] = [];
  for (const cache of ['accel', 'emulated'] as const) {
    const kinds = (['created', 'updated', 'removed'] as const)
      .map((k) => (counts[cache][k] ? `${counts[cache][k].toLocaleString('en-US')} ${k}` : ''))
      .filter(Boolean)
      .join(', ');
    if (kinds) parts.push(`${cache}: ${kinds}`);
  }
  return parts.length > 0 ? parts.join('; ') : 'no cache changed';
}

export function describeOutcome(result: StepResult): string {
  switch (result.status) {
    case 'processed':
      return 'processed';
    case 'rejected':
      return `rejected, IQE set${result.error ? ` (${result.error})` : ''}`;
    case 'blocked':
      return 'blocked: IQE is set, so QEMU does not process it';
    case 'applied':
      return 'applied';
  }
}

/** The run announcement for the role="status" region. */
export function describeRun(scenario: Scenario, run: AppRun): string {
  const { focusStep, result } = run;
  const focus = focusStep;
  if (focusStep < 0) {
    return `Ran ${scenario.steps.length} step(s); no invalidation yet.`;
  }
  const step = scenario.steps[focusStep];
  const res = result.steps[focusStep];
  if (!step || !res) return `Ran ${scenario.steps.length} step(s).`;
  const parts = [`Step ${focusStep + 1} (${describeStep(step)}): ${describeOutcome(res)}`];
  if (res.status === 'processed') {
    parts.push(countChanges(run.focus.counts));
    if (res.accelWalk) {
      const w = res.accelWalk;
      parts.push(
        `${w.dirReads} directory read(s), ${w.entryReads} leaf read(s), ${w.listCompares} list compare(s)`,
      );
    }
  }
  const after = result.steps.slice(focus + 1).filter((r) => r.op !== 'write');
  if (after.length > 0) {
    const rest = after
      .map((r) => `step ${r.index + 1} ${r.descType ?? r.op} ${r.status}`)
      .slice(0, 3)
      .join(', ');
    parts.push(`Then ${rest}${after.length > 3 ? ', …' : ''}`);
  }
  return `${parts.join('. ')}.`;
}

// Words for what happened: a descriptor's name, a step's outcome, a run's announcement.

import {
  CC_GRANULARITY_NAMES,
  DESCRIPTOR_TYPE_TITLES,
  descriptorTypeCode,
  CONTEXT_CACHE_DESC,
  PASID_CACHE_DESC,
  WAIT_DESC,
  fieldByName,
  getField,
  type CacheChange,
  type Scenario,
  type ScenarioStep,
  type StepResult,
} from '../model/core.ts';
import type { AppRun, FocusChanges } from '../worker/protocol.ts';

const PC_G = fieldByName(PASID_CACHE_DESC, 'granularity');
const PC_DID = fieldByName(PASID_CACHE_DESC, 'did');
const PC_PASID = fieldByName(PASID_CACHE_DESC, 'pasid');
const CC_G = fieldByName(CONTEXT_CACHE_DESC, 'granularity');
const CC_DID = fieldByName(CONTEXT_CACHE_DESC, 'did');
const CC_SID = fieldByName(CONTEXT_CACHE_DESC, 'sid');
const W_SW = fieldByName(WAIT_DESC, 'sw');
const W_DATA = fieldByName(WAIT_DESC, 'statusData');

export function sidToBdf(sid: number): string {
  const bus = (sid >> 8) & 0xff;
  const dev = (sid >> 3) & 0x1f;
  const fn = sid & 7;
  return `${bus.toString(16).padStart(2, '0')}:${dev.toString(16).padStart(2, '0')}.${fn}`;
}

/** One line naming a descriptor by its fields ("PASID-cache, PASID-selective, DID 3, PASID 5"). */
export function describeDescriptor(desc: readonly bigint[]): string {
  const type = descriptorTypeCode(desc[0] ?? 0n);
  switch (type) {
    case 7: {
      const g = Number(getField(desc, PC_G));
      const did = getField(desc, PC_DID);
      const pasid = getField(desc, PC_PASID);
      if (g === 0) return `PASID-cache, domain-selective, DID ${did}`;
      if (g === 1) return `PASID-cache, PASID-selective, DID ${did}, PASID ${pasid}`;
      if (g === 3) return 'PASID-cache, global';
      return 'PASID-cache, reserved granularity 2';
    }
    case 1: {
      const g = Number(getField(desc, CC_G));
      const name = CC_GRANULARITY_NAMES[g] ?? String(g);
      if (g === 2) return `context-cache, ${name}, DID ${getField(desc, CC_DID)}`;
      if (g === 3) return `context-cache, ${name}, ${sidToBdf(Number(getField(desc, CC_SID)))}`;
      return `context-cache, ${name}`;
    }
    case 5: {
      const sw = getField(desc, W_SW) === 1n;
      return sw
        ? `invalidation-wait, status write 0x${getField(desc, W_DATA).toString(16)}`
        : 'invalidation-wait';
    }
    default:
      return DESCRIPTOR_TYPE_TITLES[type] ?? `unknown descriptor type ${type}`;
  }
}

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

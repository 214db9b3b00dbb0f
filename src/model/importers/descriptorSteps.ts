// What the two descriptor-log importers (QEMU's vtd_inv_desc log, the kernel's qi_submit trace)
// share: one invalidate step per logged descriptor, a clearIqe step where QEMU would stop the
// queue yet the log goes on, the wait descriptors whose status write lands on a structure, the
// steps appended to a scenario *file* (its authoring form kept), and the warning for a log that
// holds no PASID-cache descriptor at all.

import { DescType, descriptorTypeCode } from '../invalidation/descriptorType.ts';
import { decodeWaitDescriptor } from '../invalidation/waitDescriptor.ts';
import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import { descriptorWords, vtdInvDescCheck } from '../qemu/vtdInvalidationQueue.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { ScenarioIssue } from '../scenario/parseScenario.ts';
import type { ScenarioFileJson } from '../scenario/scenarioToFile.ts';
import type { Scenario, ScenarioStep } from '../scenario/scenarioTypes.ts';
import { hexAddr, hexWord } from '../scenario/scenarioValues.ts';
import { walkDmarTranslation } from './dmarTranslationStruct.ts';
import type { ImportIssue } from './importTypes.ts';

/** One descriptor as a log shows it: its line, all four words, and the step note to give it. */
export interface LoggedDescriptor {
  readonly line: number;
  readonly desc: readonly [bigint, bigint, bigint, bigint];
  readonly note: string;
}

/** The steps of the log's descriptors, with clearIqe steps where the base's QEMU would set IQE. */
export function descriptorSteps(
  descs: readonly LoggedDescriptor[],
  base: Scenario | undefined,
): { steps: ScenarioStep[]; clearIqeInserted: number } {
  const caps = base ? vtdCapInit(base.iommu) : undefined;
  const steps: ScenarioStep[] = [];
  let clearIqeInserted = 0;
  descs.forEach((d, k) => {
    steps.push({ op: 'invalidate', desc: d.desc, note: d.note });
    if (!caps || k === descs.length - 1) return;
    const rejected = vtdInvDescCheck(caps, descriptorWords(caps, d.desc));
    if (!rejected) return;
    clearIqeInserted++;
    steps.push({
      op: 'clearIqe',
      note: `added by the import: QEMU rejects the descriptor of line ${d.line} (${rejected.message}), yet the log shows it processing later ones, so the guest cleared FSTS.IQE`,
    });
  });
  return { steps, clearIqeInserted };
}

/**
 * Wait descriptors whose status write lands on a structure of the scenario as it stands before
 * the imported steps: the replay would change that structure. Likely when the structures came
 * from another source than the log (their addresses were allocated by an import).
 */
export function statusWriteCollisions(
  before: Scenario,
  descs: readonly LoggedDescriptor[],
): ImportIssue[] {
  const pages = new Map(walkDmarTranslation(before).pages.map((p) => [p.addr, p.what] as const));
  const out: ImportIssue[] = [];
  for (const d of descs) {
    if (descriptorTypeCode(d.desc[0]) !== DescType.Wait) continue;
    const w = decodeWaitDescriptor(d.desc);
    if (!w.statusWrite) continue;
    const what = pages.get(w.statusAddr & ~0xfffn);
    if (what !== undefined) {
      out.push({
        line: d.line,
        message: `this wait descriptor writes its status to ${hexAddr(w.statusAddr)}, inside ${what} in the base scenario: the replay will change that structure`,
      });
    }
  }
  return out;
}

export function stepJson(step: ScenarioStep): Record<string, unknown> {
  const note = step.note !== undefined ? { note: step.note } : {};
  switch (step.op) {
    case 'invalidate':
      return { op: 'invalidate', desc: step.desc.map(hexWord), ...note };
    case 'clearIqe':
      return { op: 'clearIqe', ...note };
    case 'write':
      return { op: 'write', addr: hexAddr(step.addr), qwords: step.qwords.map(hexWord), ...note };
  }
}

/** A log, or its base file, that cannot be imported. */
export interface DescriptorLogFailure {
  readonly ok: false;
  /** Problems of the log (with lines)... */
  readonly errors: readonly ImportIssue[];
  /** ...or of the base file (JSON paths). */
  readonly baseErrors?: readonly ScenarioIssue[];
}

export type AppendedFile =
  | {
      readonly ok: true;
      readonly file: ScenarioFileJson;
      /** The file, loaded. */
      readonly scenario: Scenario;
      /** The structures as the appended steps meet them (tables re-placed by the resolver). */
      readonly before: Scenario;
      readonly fileWarnings: readonly string[];
    }
  | { readonly ok: false; readonly baseErrors: readonly ScenarioIssue[] };

/**
 * The base file (already checked by the parser) with `added` appended to its own steps, so its
 * authoring form stays and tables the resolver allocates are placed clear of the pages the new
 * steps write, as for any file.
 */
export function appendStepsToFile(baseFile: unknown, added: readonly ScenarioStep[]): AppendedFile {
  const raw = baseFile as Record<string, unknown>;
  const own = Array.isArray(raw.steps) ? (raw.steps as unknown[]) : [];
  const file: ScenarioFileJson = { ...raw, steps: [...own, ...added.map(stepJson)] };
  const loaded = parseScenario(file);
  if (!loaded.ok) return { ok: false, baseErrors: loaded.errors };
  const before: Scenario = {
    ...loaded.scenario,
    steps: loaded.scenario.steps.slice(0, loaded.scenario.steps.length - added.length),
  };
  return { ok: true, file, scenario: loaded.scenario, before, fileWarnings: loaded.warnings };
}

/** Which log a warning is about: its words differ (who leaves the descriptors out, and why). */
export type DescriptorLogSource = 'qemu' | 'kernel';

/**
 * A log with no PASID-cache descriptor replays without touching a PASID cache; say why, so the
 * silence is not read as "the guest never invalidated".
 */
export function missingPasidCacheWarning(
  descs: readonly LoggedDescriptor[],
  source: DescriptorLogSource,
): string | undefined {
  if (!descs.length) return undefined;
  if (descs.some((d) => descriptorTypeCode(d.desc[0]) === DescType.PasidCache)) return undefined;
  return source === 'qemu'
    ? 'this log holds no PASID-cache descriptor (type 7), so the replay changes no PASID cache. QEMU releases from before the PASID-cache series (7.2, which the bundled real capture ran, for one) accept type 7 descriptors without processing or tracing them. The guest kernel traces every descriptor it queues: record intel_iommu:qi_submit in the guest (trace-cmd record -e intel_iommu:qi_submit) and import that trace instead'
    : 'this trace holds no pc_inv descriptor (PASID-cache, type 7), so the replay changes no PASID cache: the guest queued none while tracing ran (a guest in legacy mode, or a trace started after the devices were attached)';
}

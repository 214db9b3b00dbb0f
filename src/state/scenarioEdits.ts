// Pure edits of a normalised scenario. The store's actions call these; each returns a new scenario
// (the old one stays intact for undo) or the same object when nothing changes.
//
// Interaction model: a scenario is a timeline of guest steps. Editing an entry appends a guest `write`
// step with the entry's new words; further edits of the same words merge into that step as long as
// it is the last one. Submitting an invalidation appends an `invalidate` step.

import type {
  DeviceBackend,
  DeviceConfig,
  IommuConfig,
  Scenario,
  ScenarioStep,
  Variant,
} from '../model/index.ts';
import { IOMMU_DEFAULTS } from '../model/core.ts';
import { currentMemory } from './memoryImage.ts';

export type MutableIommu = { -readonly [K in keyof IommuConfig]: IommuConfig[K] };

export function updateIommu(scenario: Scenario, patch: Partial<MutableIommu>): Scenario {
  const iommu = { ...scenario.iommu, ...patch };
  const same = (Object.keys(patch) as (keyof IommuConfig)[]).every(
    (k) => iommu[k] === scenario.iommu[k],
  );
  return same ? scenario : { ...scenario, iommu };
}

export function setVariant(scenario: Scenario, variant: Variant): Scenario {
  return scenario.variant === variant ? scenario : { ...scenario, variant };
}

const BDF_RE = /^([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i;

/** Parses "BB:DD.F" (hex, as lspci prints it). */
export function parseBdf(
  text: string,
): { readonly bdf: string; readonly bus: number; readonly devfn: number } | undefined {
  const m = BDF_RE.exec(text.trim());
  if (!m) return undefined;
  const bus = parseInt(m[1] ?? '', 16);
  const dev = parseInt(m[2] ?? '', 16);
  const fn = parseInt(m[3] ?? '', 16);
  if (dev > 0x1f) return undefined;
  const bdf = `${bus.toString(16).padStart(2, '0')}:${dev.toString(16).padStart(2, '0')}.${fn}`;
  return { bdf, bus, devfn: (dev << 3) | fn };
}

/** The first free BDF on bus 0 from device 2 up (00:00.0 is the host bridge in a q35 guest). */
export function nextFreeBdf(devices: readonly DeviceConfig[]): string {
  const used = new Set(devices.map((d) => d.bdf));
  for (let bus = 0; bus < 256; bus++) {
    for (let dev = bus === 0 ? 2 : 0; dev < 32; dev++) {
      const bdf = `${bus.toString(16).padStart(2, '0')}:${dev.toString(16).padStart(2, '0')}.0`;
      if (!used.has(bdf)) return bdf;
    }
  }
  return '00:00.0';
}

export function addDevice(scenario: Scenario, backend: DeviceBackend = 'iommufd'): Scenario {
  const parsed = parseBdf(nextFreeBdf(scenario.devices));
  if (!parsed) return scenario;
  const device: DeviceConfig = {
    ...parsed,
    backend,
    maxPasidLog2: backend === 'emulated' ? 0 : 20,
    pasidAddressSpaces: [],
  };
  return { ...scenario, devices: [...scenario.devices, device] };
}

export interface DevicePatch {
  readonly bdf?: string;
  readonly backend?: DeviceBackend;
  readonly maxPasidLog2?: number;
  readonly pasidAddressSpaces?: readonly number[];
  readonly name?: string;
}

export function updateDevice(scenario: Scenario, index: number, patch: DevicePatch): Scenario {
  const old = scenario.devices[index];
  if (!old) return scenario;
  let next: DeviceConfig = { ...old };
  if (patch.bdf !== undefined) {
    const parsed = parseBdf(patch.bdf);
    if (!parsed) return scenario;
    next = { ...next, ...parsed };
  }
  if (patch.backend !== undefined) next = { ...next, backend: patch.backend };
  if (patch.maxPasidLog2 !== undefined) next = { ...next, maxPasidLog2: patch.maxPasidLog2 };
  if (patch.pasidAddressSpaces !== undefined) {
    next = { ...next, pasidAddressSpaces: normaliseAddressSpaces(patch.pasidAddressSpaces) };
  }
  if (patch.name !== undefined) {
    const { name: _drop, ...rest } = next;
    next = patch.name.trim() === '' ? rest : { ...rest, name: patch.name };
  }
  const devices = scenario.devices.map((d, i) => (i === index ? next : d));
  return { ...scenario, devices };
}

/** As the model treats them: PASID 0 always has an address space, duplicates count once. */
export function normaliseAddressSpaces(list: readonly number[]): number[] {
  return [...new Set(list.filter((p) => Number.isInteger(p) && p > 0 && p <= 0xfffff))].sort(
    (a, b) => a - b,
  );
}

export function removeDevice(scenario: Scenario, index: number): Scenario {
  if (!scenario.devices[index]) return scenario;
  return { ...scenario, devices: scenario.devices.filter((_, i) => i !== index) };
}

function sameWords(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

/**
 * The guest writes `words` at `addr`. Merges into the last step when it is a write of the same words
 * (same address and length); returns the scenario unchanged when memory already holds these words.
 */
export function writeWords(
  scenario: Scenario,
  addr: bigint,
  words: readonly bigint[],
  note: string,
): Scenario {
  const normalised = words.map((w) => BigInt.asUintN(64, w));
  const current = currentMemory(scenario).readWords(addr, normalised.length);
  if (sameWords(current, normalised)) return scenario;
  const last = scenario.steps[scenario.steps.length - 1];
  if (last?.op === 'write' && last.addr === addr && last.qwords.length === normalised.length) {
    const merged: ScenarioStep = { op: 'write', addr, qwords: normalised, note };
    return { ...scenario, steps: [...scenario.steps.slice(0, -1), merged] };
  }
  const step: ScenarioStep = { op: 'write', addr, qwords: normalised, note };
  return { ...scenario, steps: [...scenario.steps, step] };
}

export function appendStep(scenario: Scenario, step: ScenarioStep): Scenario {
  return { ...scenario, steps: [...scenario.steps, step] };
}

export function removeStep(scenario: Scenario, index: number): Scenario {
  if (index < 0 || index >= scenario.steps.length) return scenario;
  const steps = scenario.steps.filter((_, i) => i !== index);
  if (!scenario.quiz) return { ...scenario, steps };
  // A quiz keeps asking the same steps: later indices move down, the removed step's question goes.
  const questions = scenario.quiz.questions
    .filter((q) => q.step !== index)
    .map((q) => (q.step > index ? { ...q, step: q.step - 1 } : q));
  return { ...scenario, steps, quiz: { ...scenario.quiz, questions } };
}

export const EMPTY_SCENARIO: Scenario = {
  title: 'Empty scenario',
  variant: 'seed',
  iommu: { ...IOMMU_DEFAULTS, rootTableAddr: 0x1000n },
  devices: [],
  memory: [],
  steps: [],
};

/** A scenario with more memory words than this is large: it is sent to the worker and autosaved in
 * a task of its own, after a pause in the edits, and not saved synchronously on pagehide. */
export const LARGE_SCENARIO_WORDS = 50_000;

/** How many 64-bit words of memory a scenario carries (initial memory and writes). */
export function scenarioWords(scenario: Scenario): number {
  let n = 0;
  for (const b of scenario.memory) n += b.qwords.length;
  for (const st of scenario.steps) if (st.op === 'write') n += st.qwords.length;
  return n;
}

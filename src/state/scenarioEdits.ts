// Pure edits of a normalised scenario. The store's actions call these; each returns a new scenario
// (the old one stays intact for undo) or the same object when nothing changes.
//
// Interaction model: a scenario is a timeline of guest steps. Editing an entry appends a guest `write`
// step with the entry's new words; further edits of the same words merge into that step as long as
// it is the last one. Submitting an invalidation appends an `invalidate` step.

import type {
  DeviceBackend,
  DeviceConfig,
  HostFault,
  IommuConfig,
  Scenario,
  ScenarioStep,
  Variant,
} from '../model/index.ts';
import { HOST_FAULT_OPS, IOMMU_DEFAULTS } from '../model/core.ts';
import { currentMemory } from './memoryImage.ts';

export type MutableIommu = { -readonly [K in keyof IommuConfig]: IommuConfig[K] };

export function updateIommu(scenario: Scenario, patch: Partial<MutableIommu>): Scenario {
  let iommu: IommuConfig = { ...scenario.iommu, ...patch };
  // svm off is written as absent (its default), as a scenario file has it.
  if (patch.svm === false) {
    const { svm: _off, ...rest } = iommu;
    iommu = rest;
  }
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
  if (!scenario.hostFaults) return { ...scenario, devices };
  // Host faults follow a renamed device; a device that is no longer iommufd takes them away.
  const faults = scenario.hostFaults.flatMap((f) =>
    f.bdf !== old.bdf ? [f] : next.backend === 'iommufd' ? [{ ...f, bdf: next.bdf }] : [],
  );
  return withFaults({ ...scenario, devices }, faults);
}

/** As the model treats them: PASID 0 always has an address space, duplicates count once. */
export function normaliseAddressSpaces(list: readonly number[]): number[] {
  return [...new Set(list.filter((p) => Number.isInteger(p) && p > 0 && p <= 0xfffff))].sort(
    (a, b) => a - b,
  );
}

export function removeDevice(scenario: Scenario, index: number): Scenario {
  const gone = scenario.devices[index];
  if (!gone) return scenario;
  const next = { ...scenario, devices: scenario.devices.filter((_, i) => i !== index) };
  // Its host faults go with it.
  return scenario.hostFaults
    ? withFaults(
        next,
        scenario.hostFaults.filter((f) => f.bdf !== gone.bdf),
      )
    : next;
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

/**
 * The scenario with `steps` in place of its steps, where old step i is now step `to(i)` (undefined:
 * gone). What names a step by index follows: quiz questions and host faults move with their step,
 * and those of a step that is gone go with it.
 */
function renumberSteps(
  scenario: Scenario,
  steps: readonly ScenarioStep[],
  to: (old: number) => number | undefined,
): Scenario {
  let next: Scenario = { ...scenario, steps };
  if (scenario.quiz) {
    const questions = scenario.quiz.questions.flatMap((q) => {
      const step = to(q.step);
      return step === undefined ? [] : [{ ...q, step }];
    });
    next = { ...next, quiz: { ...scenario.quiz, questions } };
  }
  if (scenario.hostFaults) {
    const faults = scenario.hostFaults.flatMap((f) => {
      const step = to(f.step);
      return step === undefined ? [] : [{ ...f, step }];
    });
    const { hostFaults: _drop, ...rest } = next;
    next = faults.length > 0 ? { ...rest, hostFaults: faults } : rest;
  }
  return next;
}

export function removeStep(scenario: Scenario, index: number): Scenario {
  if (index < 0 || index >= scenario.steps.length) return scenario;
  return renumberSteps(
    scenario,
    scenario.steps.filter((_, i) => i !== index),
    (i) => (i === index ? undefined : i > index ? i - 1 : i),
  );
}

/** Moves step `from` to position `to` (the steps between shift by one). */
export function moveStep(scenario: Scenario, from: number, to: number): Scenario {
  const n = scenario.steps.length;
  if (from === to || from < 0 || from >= n || to < 0 || to >= n) return scenario;
  const steps = [...scenario.steps];
  const [moved] = steps.splice(from, 1);
  if (!moved) return scenario;
  steps.splice(to, 0, moved);
  return renumberSteps(scenario, steps, (i) => {
    if (i === from) return to;
    if (from < to && i > from && i <= to) return i - 1;
    if (to < from && i >= to && i < from) return i + 1;
    return i;
  });
}

/** How many host faults name step `index` (they go when it is removed). */
export function hostFaultsOnStep(scenario: Scenario, index: number): number {
  return (scenario.hostFaults ?? []).filter((f) => f.step === index).length;
}

// Host faults (host-side.md): each makes every host call of its kind for one device and PASID
// fail during one step. The editor only offers valid values (an existing step, an iommufd device,
// a PASID up to 0xfffff); these edits keep the list valid when steps or devices change.

function withFaults(scenario: Scenario, faults: readonly HostFault[]): Scenario {
  const { hostFaults: _drop, ...rest } = scenario;
  return faults.length > 0 ? { ...rest, hostFaults: faults } : rest;
}

/** A new fault: the last step, the first iommufd device, PASID 0, attach. */
export function addHostFault(scenario: Scenario): Scenario {
  const device = scenario.devices.find((d) => d.backend === 'iommufd');
  if (!device || scenario.steps.length === 0) return scenario;
  const fault: HostFault = {
    step: scenario.steps.length - 1,
    bdf: device.bdf,
    pasid: 0,
    op: 'attach',
  };
  return withFaults(scenario, [...(scenario.hostFaults ?? []), fault]);
}

export function updateHostFault(
  scenario: Scenario,
  index: number,
  patch: Partial<HostFault>,
): Scenario {
  const old = scenario.hostFaults?.[index];
  if (!old) return scenario;
  const next: HostFault = { ...old, ...patch };
  if (hostFaultProblem(scenario, next) !== undefined) return scenario;
  if ((Object.keys(patch) as (keyof HostFault)[]).every((k) => next[k] === old[k])) return scenario;
  return withFaults(
    scenario,
    (scenario.hostFaults ?? []).map((f, i) => (i === index ? next : f)),
  );
}

export function removeHostFault(scenario: Scenario, index: number): Scenario {
  if (!scenario.hostFaults?.[index]) return scenario;
  return withFaults(
    scenario,
    scenario.hostFaults.filter((_, i) => i !== index),
  );
}

/** Why the scenario parser would refuse this fault (host-side.md), or undefined. */
export function hostFaultProblem(scenario: Scenario, f: HostFault): string | undefined {
  if (!Number.isInteger(f.step) || f.step < 0 || f.step >= scenario.steps.length) {
    return `step ${String(f.step + 1)} does not exist (the scenario has ${String(scenario.steps.length)})`;
  }
  const device = scenario.devices.find((d) => d.bdf === f.bdf);
  if (!device) return `no device ${f.bdf}`;
  if (device.backend !== 'iommufd') return `${f.bdf} is not an iommufd device`;
  if (!Number.isInteger(f.pasid) || f.pasid < 0 || f.pasid > 0xfffff) {
    return 'the PASID must be 0–0xfffff';
  }
  if (!HOST_FAULT_OPS.includes(f.op)) return `unknown host call "${String(f.op)}"`;
  return undefined;
}

/**
 * Why a valid fault may never fire (a fault that matches no call does nothing): the calls it names
 * are not made in this scenario's configuration.
 */
export function hostFaultNote(scenario: Scenario, f: HostFault): string | undefined {
  const step = scenario.steps[f.step];
  if (!scenario.iommu.fsts) return 'fsts is off: QEMU makes no host calls.';
  if (step && step.op !== 'invalidate') {
    return 'this step is not an invalidation: no host call is made during it.';
  }
  if (f.op === 'faultq' && (!scenario.iommu.svm || scenario.variant === 'seed')) {
    return 'fault queues are allocated only with svm, in the series (and a context entry with PRE).';
  }
  if (scenario.variant === 'seed' && f.pasid !== 0) {
    return 'the seed binds PASID 0 only: no call for this PASID.';
  }
  return undefined;
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

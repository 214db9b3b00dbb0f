// Export: a Scenario as the canonical raw file (contract form only: every iommu field spelled
// out, memory as blocks, steps as raw writes and raw descriptors). Parsing the result gives back
// an identical Scenario.

import { SCENARIO_FORMAT, SCENARIO_VERSION } from './scenarioFormat.ts';
import type { Scenario, ScenarioStep } from './scenarioTypes.ts';
import { hexAddr, hexWord } from './scenarioValues.ts';

/** The JSON object of a scenario file (ready for JSON.stringify). */
export type ScenarioFileJson = Record<string, unknown>;

function stepToJson(step: ScenarioStep): Record<string, unknown> {
  const note = step.note !== undefined ? { note: step.note } : {};
  switch (step.op) {
    case 'write':
      return { op: 'write', addr: hexAddr(step.addr), qwords: step.qwords.map(hexWord), ...note };
    case 'invalidate':
      return { op: 'invalidate', desc: step.desc.map(hexWord), ...note };
    case 'clearIqe':
      return { op: 'clearIqe', ...note };
  }
}

export function scenarioToFile(scenario: Scenario): ScenarioFileJson {
  const io = scenario.iommu;
  return {
    format: SCENARIO_FORMAT,
    version: SCENARIO_VERSION,
    ...(scenario.title !== undefined ? { title: scenario.title } : {}),
    ...(scenario.description !== undefined ? { description: scenario.description } : {}),
    variant: scenario.variant,
    iommu: {
      scalableMode: io.scalableMode,
      fsts: io.fsts,
      pasidBits: io.pasidBits,
      awBits: io.awBits,
      queueWidth: io.queueWidth,
      rootTableAddr: hexAddr(io.rootTableAddr),
      rootScalable: io.rootScalable,
      dmarEnabled: io.dmarEnabled,
      ...(io.svm ? { svm: true } : {}),
      guestRamBytes: hexAddr(io.guestRamBytes),
    },
    devices: scenario.devices.map((d) => ({
      bdf: d.bdf,
      backend: d.backend,
      maxPasidLog2: d.maxPasidLog2,
      ...(d.pasidAddressSpaces.length ? { pasidAddressSpaces: [...d.pasidAddressSpaces] } : {}),
      ...(d.name !== undefined ? { name: d.name } : {}),
    })),
    memory: scenario.memory.map((b) => ({ addr: hexAddr(b.addr), qwords: b.qwords.map(hexWord) })),
    steps: scenario.steps.map(stepToJson),
    ...(scenario.hostFaults?.length
      ? { hostFaults: scenario.hostFaults.map((f) => ({ ...f })) }
      : {}),
    ...(scenario.quiz
      ? {
          quiz: {
            ...(scenario.quiz.title !== undefined ? { title: scenario.quiz.title } : {}),
            questions: scenario.quiz.questions.map((q) => ({ ...q })),
          },
        }
      : {}),
  };
}

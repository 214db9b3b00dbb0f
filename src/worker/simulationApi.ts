// The simulation API as a plain object over the model: the worker exposes it with Comlink, the
// in-process engine calls it directly, and both get the same answers. Expected failures (a file that
// is not a scenario, a configuration QEMU refuses) come back as values; only bugs throw.

import {
  DescType,
  PasidScopeMachine,
  descriptorTypeCode,
  parseScenario,
  scenarioToFile,
  type CacheEntryColumns,
  type CacheState,
  type ChangeColumns,
  type RunResult,
  type Scenario,
} from '../model/index.ts';
import { accelCacheColumns, focusChanges, runTransferables } from './cacheColumns.ts';
import { initialMemoryPages } from './memoryPages.ts';
import {
  PROTOCOL_VERSION,
  RUN_MAX_CHANGES_PER_STEP,
  RUN_MAX_HOST_ROWS,
  type AccelCacheColumns,
  type EngineResult,
  type ParsedScenario,
  type RunRequest,
  type ScenarioIssue,
  type SimulationApi,
  type WireRun,
} from './protocol.ts';
import { packScenario, scenarioJson, shareFragmentOf, unpackScenarioText } from './packing.ts';
import { compareForApp } from './comparisonView.ts';
import { debugfsDump, importDebugfs, importQemuTrace } from './importing.ts';

function describeIssues(issues: readonly ScenarioIssue[]): string {
  const first = issues[0];
  if (!first) return 'The scenario is not valid.';
  const where = first.path === '' ? '' : `${first.path}: `;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${where}${first.message}${more}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Validates a normalised scenario with the model's own parser (the same checks as a file load).
 * Initial memory is left out of the check: it is words only (always valid), and writing out
 * 10^5 PASID entries as hex only to read them back would cost seconds per run.
 */
function validate(scenario: Scenario): EngineResult<Scenario> {
  const parsed = parseScenario(scenarioToFile({ ...scenario, memory: [] }));
  if (parsed.ok) return { ok: true, value: scenario };
  return {
    ok: false,
    error: {
      kind: 'invalid-scenario',
      message: describeIssues(parsed.errors),
      issues: parsed.errors,
    },
  };
}

/**
 * The step whose effect the app highlights: the last invalidation that is not a wait descriptor
 * (Linux follows every batch with a wait, which never touches a cache), else the last invalidation,
 * else -1.
 */
export function focusStepOf(scenario: Scenario): number {
  let lastInvalidate = -1;
  for (let i = scenario.steps.length - 1; i >= 0; i--) {
    const step = scenario.steps[i];
    if (step?.op !== 'invalidate') continue;
    if (lastInvalidate < 0) lastInvalidate = i;
    if (descriptorTypeCode(step.desc[0] ?? 0n) !== DescType.Wait) return i;
  }
  return lastInvalidate;
}

/**
 * One pass of the model's machine over the whole scenario, shaped for the page: each step lists at
 * most RUN_MAX_CHANGES_PER_STEP changes; the caches come as columns with the highlighted step's
 * changes, stale flags and old entries (noted just before `focusStep` runs) worked out here.
 */
export function runForApp(scenario: Scenario, focusStep: number): Omit<WireRun, 'ms'> {
  const machine = new PasidScopeMachine(scenario, {
    variant: scenario.variant,
    maxChangesPerStep: RUN_MAX_CHANGES_PER_STEP,
  });
  const accelBdfs = scenario.devices.filter((d) => d.backend === 'iommufd').map((d) => d.bdf);
  const steps: RunResult['steps'][number][] = [];
  let beforeAccel: Map<string, CacheEntryColumns> | undefined;
  let beforeEmulated: CacheState['emulated'] | undefined;
  let changes: ChangeColumns | undefined;
  for (let i = 0; i < scenario.steps.length; i++) {
    if (i === focusStep) {
      beforeAccel = new Map(accelBdfs.map((bdf) => [bdf, machine.accelEntryColumns(bdf)]));
      beforeEmulated = machine.emulatedEntries();
    }
    const r = machine.applyNext();
    if (!r) break;
    steps.push(r);
    if (i === focusStep) changes = machine.stepChanges();
  }
  const memory = machine.memory();
  const accel: Record<string, AccelCacheColumns> = {};
  scenario.devices.forEach((device, deviceIndex) => {
    if (device.backend !== 'iommufd') return;
    accel[device.bdf] = accelCacheColumns({
      entries: machine.accelEntryColumns(device.bdf),
      before: beforeAccel?.get(device.bdf),
      changes,
      deviceIndex,
      memory,
      iommu: scenario.iommu,
      device,
    });
  });
  const bdfs = scenario.devices.map((d) => d.bdf);
  return {
    result: { variant: machine.variant, steps, trace: machine.trace() },
    focusStep,
    caches: {
      iqe: machine.iqe,
      accel,
      emulated: machine.emulatedEntries(),
      host: machine.hostStates(RUN_MAX_HOST_ROWS),
    },
    focus: focusChanges(changes, bdfs, beforeEmulated),
  };
}

export function createSimulationApi(): SimulationApi {
  const api: SimulationApi = {
    hello() {
      return { protocolVersion: PROTOCOL_VERSION };
    },

    run(request: RunRequest): EngineResult<WireRun> {
      const checked = validate(request.scenario);
      if (!checked.ok) return checked;
      const scenario = checked.value;
      try {
        const t0 = performance.now();
        const run = runForApp(scenario, focusStepOf(scenario));
        return { ok: true, value: { ...run, ms: performance.now() - t0 } };
      } catch (e) {
        return {
          ok: false,
          error: { kind: 'model-error', message: `The model failed: ${errorText(e)}` },
        };
      }
    },

    parseScenarioText(text: string): EngineResult<ParsedScenario> {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        return {
          ok: false,
          error: { kind: 'not-json', message: `This is not a JSON file: ${errorText(e)}` },
        };
      }
      const parsed = parseScenario(raw);
      if (!parsed.ok) {
        return {
          ok: false,
          error: {
            kind: 'invalid-scenario',
            message: describeIssues(parsed.errors),
            issues: parsed.errors,
          },
        };
      }
      const initialMemory = initialMemoryPages(parsed.scenario);
      return {
        ok: true,
        value: {
          scenario: parsed.scenario,
          warnings: parsed.warnings,
          ...(initialMemory ? { initialMemory } : {}),
        },
      };
    },

    async packScenario({ scenario }): Promise<EngineResult<string>> {
      try {
        return { ok: true, value: await packScenario(scenario) };
      } catch (e) {
        return {
          ok: false,
          error: { kind: 'model-error', message: `Could not save: ${errorText(e)}` },
        };
      }
    },

    shareFragment({ scenario }): EngineResult<string> {
      return { ok: true, value: shareFragmentOf(scenario) };
    },

    fileText({ scenario, indent }): EngineResult<string> {
      return { ok: true, value: scenarioJson(scenario, indent) };
    },

    importDebugfs: (request) => importDebugfs(request),

    importQemuTrace: (request) => importQemuTrace(request),

    compareVariants({ scenario }) {
      const checked = validate(scenario);
      if (!checked.ok) return checked;
      try {
        return { ok: true, value: compareForApp(scenario) };
      } catch (e) {
        return {
          ok: false,
          error: { kind: 'model-error', message: `The comparison failed: ${errorText(e)}` },
        };
      }
    },

    debugfsDump: (request) => debugfsDump(request),

    async parsePackedScenario(packed: string): Promise<EngineResult<ParsedScenario>> {
      const text = await unpackScenarioText(packed);
      if (text === undefined) {
        return {
          ok: false,
          error: { kind: 'not-json', message: 'The saved scenario is damaged.' },
        };
      }
      return api.parseScenarioText(text);
    },
  };
  return api;
}

/** The ArrayBuffers behind a run's trace and cache columns, so the worker can transfer them
 * instead of copying (a 2^20-PASID walk makes megabytes of both). The run is built fresh per
 * request and never reused by the worker, so detaching its buffers there is safe. */
export const runBuffers = runTransferables;

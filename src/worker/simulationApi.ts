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
import { transfer } from 'comlink';
import { hostToColumns } from '../shared/hostWire.ts';
import { accelCacheColumns, focusChanges, runTransferables } from '../shared/cacheColumns.ts';
import { initialMemoryPages } from '../shared/memoryPages.ts';
import {
  PROTOCOL_VERSION,
  RUN_MAX_CHANGES_PER_STEP,
  RUN_MAX_HOST_ROWS,
  type AccelCacheColumns,
  type AppComparison,
  type DebugfsDump,
  type DebugfsDumpRequest,
  type DebugfsImportRequest,
  type EngineResult,
  type FileTextRequest,
  type Hello,
  type ImportedScenario,
  type ParsedScenario,
  type RunRequest,
  type ScenarioIssue,
  type ScenarioRequest,
  type TraceImportRequest,
  type WireRun,
} from './protocol.ts';
import {
  packScenario,
  scenarioJson,
  shareFragmentOf,
  unpackScenarioText,
} from '../shared/packing.ts';
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
      host: Object.fromEntries(
        Object.entries(machine.hostStates(RUN_MAX_HOST_ROWS)).map(([bdf, state]) => [
          bdf,
          hostToColumns(state),
        ]),
      ),
    },
    focus: focusChanges(changes, bdfs, beforeEmulated),
  };
}

function modelError(prefix: string, e: unknown): EngineResult<never> {
  return { ok: false, error: { kind: 'model-error', message: `${prefix}: ${errorText(e)}` } };
}

/** A parsed scenario hands its built memory's pages over to the page (transfer, not copy). */
function withPages(out: EngineResult<ParsedScenario>): EngineResult<ParsedScenario> {
  const pages = out.ok ? out.value.initialMemory : undefined;
  return pages ? transfer(out, [pages.numbers.buffer, pages.words.buffer]) : out;
}

/**
 * The API: each method is one call of the seam (protocol.ts derives `SimulationApi` from this
 * object and lists the calls in SIMULATION_CALLS). Answers that carry large typed arrays mark their
 * buffers with Comlink's `transfer`, so the worker hands them over instead of copying them; in
 * process the mark is unused. Every answer is built fresh per call and never kept here, so
 * detaching its buffers is safe.
 */
export function createSimulationApi() {
  const api = {
    /** The handshake: the engine refuses a worker of another protocol version. */
    hello(): Hello {
      return { protocolVersion: PROTOCOL_VERSION };
    },

    /** Runs the whole scenario (its own variant). */
    run(request: RunRequest): EngineResult<WireRun> {
      const checked = validate(request.scenario);
      if (!checked.ok) return checked;
      const scenario = checked.value;
      try {
        const t0 = performance.now();
        const run = runForApp(scenario, focusStepOf(scenario));
        const out = { ok: true, value: { ...run, ms: performance.now() - t0 } } as const;
        return transfer(out, runTransferables(out.value));
      } catch (e) {
        return modelError('The model failed', e);
      }
    },

    /** Parses scenario file text (JSON) with the model's parser. */
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
      return withPages({
        ok: true,
        value: {
          scenario: parsed.scenario,
          warnings: parsed.warnings,
          ...(initialMemory ? { initialMemory } : {}),
        },
      });
    },

    /** The scenario as compressed file text for browser storage (autosave), made off the page's
     * thread because a large scenario takes a while to write out and compress. */
    async packScenario({ scenario }: ScenarioRequest): Promise<EngineResult<string>> {
      try {
        return { ok: true, value: await packScenario(scenario) };
      } catch (e) {
        return modelError('Could not save', e);
      }
    },

    /** The inverse of packScenario, checked by the model's parser. */
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

    /** The share-link fragment of a scenario (`scenario=1.<payload>`), compressed off the page's
     * thread. */
    shareFragment({ scenario }: ScenarioRequest): EngineResult<string> {
      return { ok: true, value: shareFragmentOf(scenario) };
    },

    /** The scenario as file text (export), written off the page's thread. */
    fileText({ scenario, indent }: FileTextRequest): EngineResult<string> {
      return { ok: true, value: scenarioJson(scenario, indent) };
    },

    /** Imports a Linux dmar_translation_struct dump as a new scenario (nothing is replaced here). */
    importDebugfs: (request: DebugfsImportRequest): EngineResult<ImportedScenario> =>
      importDebugfs(request),

    /** Appends a QEMU `-trace vtd_inv_desc` log's descriptors to a scenario, as new steps. */
    importQemuTrace: (request: TraceImportRequest): EngineResult<ImportedScenario> =>
      importQemuTrace(request),

    /** Runs the scenario under every variant and says where they part. */
    compareVariants({ scenario }: ScenarioRequest): EngineResult<AppComparison> {
      const checked = validate(scenario);
      if (!checked.ok) return checked;
      try {
        return { ok: true, value: compareForApp(scenario) };
      } catch (e) {
        return modelError('The comparison failed', e);
      }
    },

    /** What Linux's debugfs would print for the scenario's guest tables. */
    debugfsDump: (request: DebugfsDumpRequest): EngineResult<DebugfsDump> => debugfsDump(request),
  };
  return api;
}

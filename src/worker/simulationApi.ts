// The simulation API as a plain object over the model: the worker exposes it with Comlink, the
// in-process engine calls it directly, and both get the same answers. Expected failures (a file that
// is not a scenario, a configuration QEMU refuses) come back as values; only bugs throw.

import {
  DescType,
  PasidScopeMachine,
  descriptorTypeCode,
  parseScenario,
  scenarioToFile,
  type AccelCacheEntry,
  type CacheChange,
  type CacheState,
  type EmulatedCacheEntry,
  type RunResult,
  type Scenario,
} from '../model/index.ts';
import {
  PROTOCOL_VERSION,
  type AppRun,
  type EngineResult,
  type ParsedScenario,
  type RunRequest,
  type ScenarioIssue,
  type SimulationApi,
} from './protocol.ts';
import { packScenario, scenarioJson, unpackScenarioText } from './packing.ts';
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
 * One pass of the model's machine over the whole scenario, noting the caches just before step
 * `focusStep` on the way (the same result as runScenario, plus that snapshot).
 */
export function runWithSnapshot(
  scenario: Scenario,
  focusStep: number,
): { result: RunResult; before: RunResult['final'] } {
  const machine = new PasidScopeMachine(scenario, { variant: scenario.variant });
  const steps: RunResult['steps'][number][] = [];
  let before = machine.caches();
  for (let i = 0; i < scenario.steps.length; i++) {
    if (i === focusStep) before = machine.caches();
    const r = machine.applyNext();
    if (!r) break;
    steps.push(r);
  }
  const result = {
    variant: machine.variant,
    steps,
    final: machine.caches(),
    trace: machine.trace(),
  };
  return { result, before: onlyChanged(before, steps[focusStep]?.changes ?? []) };
}

/** The part of a cache state the app needs from before the highlighted step: the entries that step
 * changed (a full copy of 10^5 entries would double what crosses to the page for nothing). */
function onlyChanged(caches: CacheState, changes: readonly CacheChange[]): CacheState {
  const accel: Record<string, AccelCacheEntry[]> = {};
  const emulated: Record<string, Record<string, EmulatedCacheEntry>> = {};
  const byPasid = new Map<string, Map<number, AccelCacheEntry>>();
  const lookup = (bdf: string, pasid: number): AccelCacheEntry | undefined => {
    let m = byPasid.get(bdf);
    if (!m) {
      m = new Map((caches.accel[bdf] ?? []).map((e) => [e.pasid, e]));
      byPasid.set(bdf, m);
    }
    return m.get(pasid);
  };
  for (const c of changes) {
    if (c.kind === 'created') continue; // nothing was there before
    if (c.cache === 'accel') {
      const e = lookup(c.bdf, c.pasid);
      if (e) (accel[c.bdf] ??= []).push(e);
    } else {
      const e = caches.emulated[c.bdf]?.[String(c.pasid)];
      if (e) (emulated[c.bdf] ??= {})[String(c.pasid)] = e;
    }
  }
  return { iqe: caches.iqe, accel, emulated };
}

export function createSimulationApi(): SimulationApi {
  const api: SimulationApi = {
    hello() {
      return { protocolVersion: PROTOCOL_VERSION };
    },

    run(request: RunRequest): EngineResult<AppRun> {
      const checked = validate(request.scenario);
      if (!checked.ok) return checked;
      const scenario = checked.value;
      try {
        const t0 = performance.now();
        const focusStep = focusStepOf(scenario);
        const { result, before } = runWithSnapshot(scenario, focusStep);
        const ms = performance.now() - t0;
        return { ok: true, value: { result, focusStep, before, ms } };
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
      return { ok: true, value: { scenario: parsed.scenario, warnings: parsed.warnings } };
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

/** The distinct ArrayBuffers behind a run's trace columns, so the worker can transfer them instead of
 * copying (a 2^20-PASID walk makes megabytes of trace). The run result is built fresh per request
 * and never reused by the worker, so detaching its buffers there is safe. */
export function traceBuffers(run: AppRun): ArrayBuffer[] {
  const t = run.result.trace;
  const columns = [t.kind, t.fn, t.device, t.pasid, t.count, t.addr, t.a, t.b, t.c, t.stepStart];
  const seen = new Set<ArrayBuffer>();
  for (const col of columns) {
    if (col.buffer instanceof ArrayBuffer) seen.add(col.buffer);
  }
  return [...seen];
}

import { describe, expect, it } from 'vitest';
import { LeafOutcome, TraceKind, type Scenario } from '../model/index.ts';
import type { AppRun } from '../worker/protocol.ts';
import { cacheMoment, cacheViewAt } from './cachesAtEvent.ts';
import type { CacheTable, CacheView } from './cacheView.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';

const engine = createInProcessEngine();
const presetFiles = import.meta.glob<string>('../../public/scenarios/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const presetText = (name: string): string =>
  Object.entries(presetFiles).find(([p]) => p.endsWith(`/${name}.json`))?.[1] ?? '';

async function preset(name: string): Promise<Scenario> {
  const parsed = await engine.parseScenarioText(presetText(name));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value.scenario;
}

async function run(scenario: Scenario): Promise<AppRun> {
  const answer = await engine.run({ scenario });
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value;
}

/** What a table holds, row by row (live rows only), in list order. */
function contents(t: CacheTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const r = t.row(i);
    out.push(
      `${t.kind} ${t.device.bdf} ${String(r.pasid)} valid=${String(r.valid)} ${r.words.map((w) => w.toString(16)).join(',')}`,
    );
  }
  return out;
}

function everything(view: CacheView): string[] {
  return [...view.accel, ...view.emulated].flatMap(contents);
}

const presets = Object.keys(presetFiles)
  .map((p) => p.replace(/^.*\//, '').replace(/\.json$/, ''))
  .filter((n) => n !== 'index')
  // The long real-guest timelines take seconds per truncated run; their shorter cousins stay.
  .filter((n) => !n.startsWith('realguest-sm-strict-timeline'));

describe('caches at an event', () => {
  // The oracle: the caches right after step k's last event must be what a run of the scenario cut
  // after step k ends with (the model computes that one directly, with no replay).
  it.each(presets)(
    '%s: at the end of every step, equal to the run cut after that step',
    async (name) => {
      const scenario = await preset(name);
      const full = await run(scenario);
      const trace = full.result.trace;
      for (let k = 0; k < scenario.steps.length; k++) {
        const end = (trace.stepStart[k + 1] ?? trace.length) - 1;
        if (end < (trace.stepStart[k] ?? 0)) continue; // an empty step
        // Host faults of later steps name steps the cut scenario does not have.
        const cut = {
          ...scenario,
          steps: scenario.steps.slice(0, k + 1),
          hostFaults: (scenario.hostFaults ?? []).filter((f) => f.step <= k),
        };
        const expected = await run(cut);
        const atEvent = cacheViewAt(scenario, full, end);
        const truth = cacheViewAt(cut, expected, expected.result.trace.length - 1);
        expect(everything(atEvent), `${name} after step ${String(k + 1)}`).toEqual(
          everything(truth),
        );
        expect(atEvent.staleTotal, `${name} stale after step ${String(k + 1)}`).toBe(
          truth.staleTotal,
        );
      }
    },
  );

  it('before the creation event the new entry is absent, at it the entry is at the list head', async () => {
    const scenario = await preset('linux-boot');
    const r = await run(scenario);
    const t = r.result.trace;
    let created = -1;
    for (let i = 0; i < t.length && created < 0; i++) {
      if (t.kind[i] === TraceKind.LeafChecked && t.a[i] === LeafOutcome.Created) created = i;
    }
    expect(created).toBeGreaterThan(0);
    const bdf = t.devices[t.device[created] ?? 0] ?? '';
    const pasid = t.pasid[created] ?? 0;
    const table = (cursor: number): CacheTable | undefined =>
      cacheViewAt(scenario, r, cursor).accel.find((x) => x.device.bdf === bdf);
    const before = table(created - 1);
    expect(before?.markOf(pasid)).toBeUndefined();
    const after = table(created);
    expect(after?.markOf(pasid)).toBe('cached');
    expect(after?.row(0).pasid).toBe(pasid);
    expect(after?.row(0).change).toBe('created');
    expect(cacheViewAt(scenario, r, created).markOf(bdf, pasid)).toBe('cached');
  });

  it('names the moment: step, event within the step, end of the run', async () => {
    const scenario = await preset('did-mismatch');
    const r = await run(scenario);
    const t = r.result.trace;
    const last = t.length - 1;
    expect(cacheMoment(r, last)).toMatchObject({ atEnd: true, event: last });
    const step = scenario.steps.length - 1;
    const start = t.stepStart[step] ?? 0;
    expect(cacheMoment(r, start)).toMatchObject({
      step,
      eventInStep: 1,
      eventsInStep: t.length - start,
      atEnd: t.length - start === 1,
    });
    // Out of range cursors are clamped, never thrown on.
    expect(cacheMoment(r, 1e9)?.event).toBe(last);
    expect(cacheMoment(r, -4)?.event).toBe(0);
  });
});

// Whole runs: the contract JSON, the properties that tie the fast model, its trace and a naive
// re-implementation together, and the real-guest captures.

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import captureFinal from '../../../public/scenarios/realguest-sm-strict-final.json';
import captureIommufd from '../../../public/scenarios/realguest-sm-strict-timeline-iommufd-fsts-series.json';
import captureTimeline from '../../../public/scenarios/realguest-sm-strict-timeline.json';
import { memoryAtStep } from './memoryAtStep.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import { runNaive } from '../testSupport/naiveModel.ts';
import { churnScenario, randomScenario } from '../testSupport/randomScenario.ts';
import { ScenarioBuilder } from '../testSupport/scenarioBuilder.ts';
import type { Scenario, Variant } from '../scenario/scenarioTypes.ts';
import { LeafOutcome } from '../trace/traceFormat.ts';
import {
  leafDidAt,
  leafListComparesAt,
  readTraceEvent,
  traceStepRange,
} from '../trace/traceReader.ts';
import { toContractJson } from './contractJson.ts';
import { PasidScopeMachine } from './pasidScopeMachine.ts';
import { runScenario } from './runScenario.ts';
import type { CacheChange, CacheState, RunResult } from './runTypes.ts';

describe('contract JSON', () => {
  it('prints the headless-run object exactly', () => {
    const b = new ScenarioBuilder({ pasidBits: 6 }, 'seed').device('00:01.0').device('00:02.0', {
      backend: 'emulated',
      pasidAddressSpaces: [3],
    });
    b.setPasidEntry('00:01.0', 2, { pgtt: 1, did: 0xabc });
    b.pc(1, 0xabc, 2).write(0x9000n, [1n]).pc(2).global().clearIqe();
    const json = toContractJson(b.run());
    expect(json).toEqual({
      variant: 'seed',
      steps: [
        {
          index: 0,
          op: 'invalidate',
          status: 'processed',
          pcInfo: { type: 1, did: 0xabc, pasid: 2 },
          accelWalk: { dirReads: 1, entryReads: 1, listCompares: 0 },
          changes: [{ cache: 'accel', bdf: '00:01.0', pasid: 2, kind: 'created' }],
          // The seed's accel entries bind nothing.
          hostOps: [],
        },
        { index: 1, op: 'write', status: 'applied', changes: [], hostOps: [] },
        {
          index: 2,
          op: 'invalidate',
          status: 'rejected',
          error: expect.stringMatching(/granularity 2/) as unknown as string,
          changes: [],
          hostOps: [],
        },
        { index: 3, op: 'invalidate', status: 'blocked', changes: [], hostOps: [] },
        { index: 4, op: 'clearIqe', status: 'applied', changes: [], hostOps: [] },
      ],
      final: {
        iqe: false,
        accel: {
          '00:01.0': [
            {
              pasid: 2,
              entry: [
                '0x0000000000000041',
                '0x0000000000000abc',
                '0x0000000000000000',
                '0x0000000000000000',
                '0x0000000000000000',
                '0x0000000000000000',
                '0x0000000000000000',
                '0x0000000000000000',
              ],
            },
          ],
        },
        emulated: {
          '00:01.0': {
            '0': { valid: false, entry: new Array<string>(8).fill('0x0000000000000000') },
          },
          '00:02.0': {
            '0': { valid: false, entry: new Array<string>(8).fill('0x0000000000000000') },
            '3': { valid: false, entry: new Array<string>(8).fill('0x0000000000000000') },
          },
        },
        // The iommufd device as plugged: PASID 0 on the nesting parent, nothing allocated.
        host: { '00:01.0': { attached: { '0': 1 }, objects: [] } },
      },
    });
  });

  it('survives JSON.stringify (no bigint left)', () => {
    const r = new ScenarioBuilder().device('00:01.0').global().run();
    expect(() => JSON.stringify(toContractJson(r))).not.toThrow();
  });

  it("lets the variant option override the scenario's", () => {
    const s = new ScenarioBuilder({}, 'seed').device('00:01.0').build();
    expect(runScenario(s, { variant: 'series' }).variant).toBe('series');
    expect(toContractJson(runScenario(s)).variant).toBe('seed');
  });

  it('can cap the change objects per step', () => {
    const b = new ScenarioBuilder({ pasidBits: 7 }).device('00:01.0');
    for (let p = 1; p < 100; p++) b.setPasidEntry('00:01.0', p, { pgtt: 1 });
    const r = runScenario(b.global().build(), { maxChangesPerStep: 10 });
    expect(r.steps[0]?.changes).toHaveLength(10);
    expect(r.steps[0]?.changesOmitted).toBe(101 - 10);
  });
});

describe('stepwise machine', () => {
  it('gives the same results as runScenario, one step at a time', () => {
    const b = new ScenarioBuilder().device('00:01.0').global().dsi(1).global();
    const s = b.build();
    const m = new PasidScopeMachine(s);
    const steps = [];
    while (m.stepIndex < s.steps.length) steps.push(m.applyNext());
    const whole = runScenario(s);
    expect(steps).toEqual(whole.steps);
    expect(m.caches()).toEqual(whole.final);
    expect(m.accelEntryCount('00:01.0')).toBe(1);
    expect(m.accelEntries('00:01.0', 0, 1)).toEqual(whole.final.accel['00:01.0']);
  });

  it('keeps cached entries when the guest later rewrites their memory', () => {
    const b = new ScenarioBuilder({}, 'seed').device('00:01.0');
    b.setPasidEntry('00:01.0', 5, { pgtt: 1, did: 3 });
    b.global().writePasidEntry('00:01.0', 5, { pgtt: 4, did: 9 });
    const r = b.run();
    expect(r.final.accel['00:01.0']?.[0]?.entry[1]).toBe(3n);
  });
});

/** The caches as plain JSON; the host side is left out (the naive model and replay have none). */
function normaliseFinal(f: CacheState): unknown {
  const caches = { iqe: f.iqe, accel: f.accel, emulated: f.emulated };
  return JSON.parse(
    JSON.stringify(caches, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v)),
  );
}

describe('properties on random scenarios', () => {
  test.prop([fc.oneof(randomScenario, churnScenario)], { numRuns: 300 })(
    'the fast model agrees with a naive re-implementation (incl. listCompares)',
    (scenario) => {
      const fast = runScenario(scenario);
      const naive = runNaive(scenario);
      expect(fast.steps.map((s) => s.status)).toEqual(naive.steps.map((s) => s.status));
      fast.steps.forEach((s, i) => {
        const n = naive.steps[i];
        expect(s.changes).toEqual(n?.changes);
        if (s.status === 'processed') {
          expect(s.accelWalk).toEqual(n?.accelWalk);
          expect(s.pcInfo).toEqual(n?.pcInfo);
        }
      });
      expect(normaliseFinal(fast.final)).toEqual(normaliseFinal(naive.final));
    },
  );

  test.prop([fc.oneof(randomScenario, churnScenario), fc.nat()], { numRuns: 150 })(
    'repeating an invalidation changes nothing the second time (series: emulated fall-through aside)',
    (scenario, pick) => {
      const invalidations = scenario.steps.flatMap((s, i) => (s.op === 'invalidate' ? [i] : []));
      if (invalidations.length === 0) return;
      const at = invalidations[pick % invalidations.length] ?? 0;
      const step = scenario.steps[at];
      if (!step) return;
      const repeated: Scenario = {
        ...scenario,
        steps: [...scenario.steps.slice(0, at + 1), step, ...scenario.steps.slice(at + 1)],
      };
      const r = runScenario(repeated);
      const second = r.steps[at + 1];
      if (second?.status !== 'processed') return;
      const expected =
        r.variant === 'series' ? second.changes.filter((c) => c.cache === 'accel') : second.changes;
      expect(expected).toEqual([]);
    },
  );

  test.prop([fc.oneof(randomScenario, churnScenario)], { numRuns: 150 })(
    "replaying the trace's cache changes from empty caches gives the final state",
    (scenario) => {
      const r = runScenario(scenario);
      expect(normaliseFinal(replayTrace(scenario, r))).toEqual(normaliseFinal(r.final));
    },
  );
});

/**
 * Devices with a block of consecutive present PASIDs (random DIDs): global syncs create, find
 * unchanged and update them in runs, a DSI creates the DID's subset; memory changes in between
 * break runs. This is what the trace coalesces.
 */
const denseScenario: fc.Arbitrary<Scenario> = fc
  .record({
    variant: fc.constantFrom<Variant>('seed', 'series', 'series-fixed'),
    from: fc.integer({ min: 1, max: 150 }),
    len: fc.integer({ min: 1, max: 100 }),
    dids: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 256, maxLength: 256 }),
    dsi: fc.integer({ min: 1, max: 3 }),
    changed: fc.integer({ min: 0, max: 255 }),
    order: fc.constantFrom('dsi-first', 'global-first'),
  })
  .map(({ variant, from, len, dids, dsi, changed, order }) => {
    const b = new ScenarioBuilder({ pasidBits: 8 }, variant).device('00:01.0');
    b.device('00:02.0', { shareDirWith: '00:01.0' });
    for (let p = from; p < Math.min(256, from + len); p++) {
      b.setPasidEntry('00:01.0', p, { pgtt: 1, did: dids[p] ?? 1 });
    }
    if (order === 'dsi-first') b.dsi(dsi).global();
    else b.global().dsi(dsi);
    b.global();
    b.writePasidEntry('00:01.0', changed, { pgtt: 1, did: dsi, fsptptr: 0x7000n });
    b.global().dsi(dsi);
    return b.build();
  });

describe('coalesced runs of the trace', () => {
  test.prop([fc.oneof(denseScenario, randomScenario, churnScenario)], { numRuns: 120 })(
    'replaying every run entry gives the naive model’s accel changes, list compares and DIDs',
    (scenario) => {
      const r = runScenario(scenario);
      const naive = runNaive(scenario);
      const t = r.trace;
      r.steps.forEach((step, k) => {
        const { start, end } = traceStepRange(t, k);
        const changes: CacheChange[] = [];
        let compares = 0;
        const mem = memoryAtStep(scenario, k);
        for (let i = start; i < end; i++) {
          const e = readTraceEvent(t, i);
          if (e.kind === 'AccelRemoved') {
            changes.push({ cache: 'accel', bdf: e.bdf, pasid: e.pasid, kind: 'removed' });
          }
          if (e.kind !== 'LeafChecked' || e.outcome < LeafOutcome.Created) continue;
          let sum = 0;
          for (let j = 0; j < e.count; j++) {
            const pasid = e.firstPasid + j;
            const addr = e.addr + BigInt(64 * j);
            expect(leafDidAt(t, i, j)).toBe(Number(mem.readQword(addr + 8n) & 0xffffn));
            sum += leafListComparesAt(t, i, j);
            if (e.outcome === LeafOutcome.Created)
              changes.push({ cache: 'accel', bdf: e.bdf, pasid, kind: 'created' });
            if (e.outcome === LeafOutcome.Updated)
              changes.push({ cache: 'accel', bdf: e.bdf, pasid, kind: 'updated' });
          }
          expect(e.listComparesTotal).toBe(sum);
          compares += sum;
        }
        const expected = naive.steps[k];
        expect(changes).toEqual(expected?.changes.filter((c) => c.cache === 'accel'));
        expect(compares).toBe(expected?.accelWalk?.listCompares ?? 0);
        if (step.status === 'processed') expect(compares).toBe(step.accelWalk?.listCompares ?? 0);
      });
    },
  );

  it('a global sync over a block of present PASIDs is one fill event per leaf table', () => {
    // The seed's accel fill calls no host: under the series each creation's host calls (traced
    // for the first HOST_CALLS_TRACED_PER_STEP of a step) sit between the fills.
    const b = new ScenarioBuilder({ pasidBits: 8 }, 'seed').device('00:01.0');
    for (let p = 1; p < 200; p++) b.setPasidEntry('00:01.0', p, { pgtt: 1, did: 1 + (p % 3) });
    b.global().global();
    const r = b.run();
    const fills = (step: number) => {
      const { start, end } = traceStepRange(r.trace, step);
      const out: { firstPasid: number; count: number; outcome: number }[] = [];
      for (let i = start; i < end; i++) {
        const e = readTraceEvent(r.trace, i);
        if (e.kind === 'LeafChecked' && e.outcome >= LeafOutcome.Created) {
          out.push({ firstPasid: e.firstPasid, count: e.count, outcome: e.outcome });
        }
      }
      return out;
    };
    // PASIDs 0-199 in leaf tables of 64: one run per table, created then unchanged.
    const tables = [
      [0, 64],
      [64, 64],
      [128, 64],
      [192, 8],
    ];
    expect(fills(0)).toEqual(
      tables.map(([firstPasid, count]) => ({ firstPasid, count, outcome: LeafOutcome.Created })),
    );
    expect(fills(1)).toEqual(
      tables.map(([firstPasid, count]) => ({ firstPasid, count, outcome: LeafOutcome.Unchanged })),
    );
  });
});

/** Rebuilds both caches from the trace alone (plus guest memory as each step saw it). */
function replayTrace(scenario: Scenario, r: RunResult): CacheState {
  const accel: Record<string, { pasid: number; entry: bigint[] }[]> = {};
  const emulated: Record<string, Record<string, { valid: boolean; entry: bigint[] }>> = {};
  for (const d of scenario.devices) {
    if (d.backend === 'iommufd') accel[d.bdf] = [];
    const spaces: Record<string, { valid: boolean; entry: bigint[] }> = {};
    const list = [0, ...(d.backend === 'emulated' ? d.pasidAddressSpaces : [])];
    for (const p of list)
      spaces[String(p)] = { valid: false, entry: new Array<bigint>(8).fill(0n) };
    emulated[d.bdf] = spaces;
  }
  const memCache = new Map<number, ReturnType<typeof memoryAtStep>>();
  const words = (step: number, addr: bigint | undefined): bigint[] => {
    if (addr === undefined) return new Array<bigint>(8).fill(0n);
    let mem = memCache.get(step);
    if (!mem) {
      mem = memoryAtStep(scenario, step);
      memCache.set(step, mem);
    }
    const m = mem;
    return [0, 1, 2, 3, 4, 5, 6, 7].map((i) => m.readQword(addr + BigInt(8 * i)));
  };
  for (let i = 0; i < r.trace.length; i++) {
    const e = readTraceEvent(r.trace, i);
    if (
      e.kind === 'LeafChecked' &&
      (e.outcome === LeafOutcome.Created || e.outcome === LeafOutcome.Updated)
    ) {
      // A run stands for `count` consecutive PASIDs, entry k at addr + 64 k.
      const list = accel[e.bdf] ?? [];
      for (let k = 0; k < e.count; k++) {
        const pasid = e.firstPasid + k;
        const entry = words(e.step, e.addr + BigInt(64 * k));
        if (e.outcome === LeafOutcome.Created) list.unshift({ pasid, entry });
        else {
          const hit = list.find((x) => x.pasid === pasid);
          if (hit) hit.entry = entry;
        }
      }
    } else if (e.kind === 'AccelRemoved') {
      const list = accel[e.bdf] ?? [];
      list.splice(
        list.findIndex((x) => x.pasid === e.pasid),
        1,
      );
    } else if (e.kind === 'EmuCreated') {
      const sp = emulated[e.bdf]?.[String(e.pasid)];
      if (sp) {
        sp.valid = true;
        sp.entry = words(e.step, e.source);
      }
    } else if (e.kind === 'EmuRemoved') {
      const sp = emulated[e.bdf]?.[String(e.pasid)];
      if (sp) sp.valid = false;
    }
  }
  return { iqe: r.final.iqe, accel, emulated };
}

describe('real-guest captures', () => {
  it.each([
    ['realguest-sm-strict-final', captureFinal],
    ['realguest-sm-strict-timeline', captureTimeline],
    ['realguest-sm-strict-timeline-iommufd-fsts-series', captureIommufd],
  ])('%s runs and accepts every descriptor', (_name, raw) => {
    const parsed = parseScenario(raw);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const scenario = parsed.scenario;
    const r = runScenario(scenario);
    expect(r.steps.filter((s) => s.status === 'rejected' || s.status === 'blocked')).toEqual([]);
    expect(r.final.iqe).toBe(false);
    // Wait descriptors (Linux's QI_DONE status writes) and context-cache ones are processed.
    expect(new Set(r.steps.flatMap((s) => (s.descType ? [s.descType] : [])))).toEqual(
      new Set(['wait', 'pasid-cache', 'context-cache']),
    );
    // Linux uses PASID 0 only: every valid cached entry is a PASID-0 entry.
    const validPasids = Object.values(r.final.emulated).flatMap((spaces) =>
      Object.entries(spaces).flatMap(([p, e]) => (e.valid ? [Number(p)] : [])),
    );
    expect(validPasids.length).toBeGreaterThan(0);
    expect(new Set(validPasids)).toEqual(new Set([0]));
    for (const list of Object.values(r.final.accel)) {
      for (const e of list) expect(e.pasid).toBe(0);
    }
    // Agrees with the naive model too.
    expect(normaliseFinal(runNaive(scenario).final)).toEqual(normaliseFinal(r.final));
  });
});

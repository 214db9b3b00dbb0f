// The views on real model runs: every bundled preset, each event of its trace, through the layout,
// the explanation, the pseudo-code map and the cost counters. Catches any event order or column use
// the hand-built fixtures did not foresee.

import { describe, expect, it } from 'vitest';
import { parseScenarioText, runScenario, TraceKind, type Scenario } from '../model/index.ts';
import { stepCost } from './cost/costModel.ts';
import { globalSyncScenario } from './cost/costScenarios.ts';
import { explainStep } from './explain/explainStep.ts';
import { lineForEvent, lineIndex } from './pseudocode/lineForEvent.ts';
import { fixtureMemoryAt, fixtureScenario } from './trace/traceFixture.ts';
import { buildTraceIndex } from './trace/traceIndex.ts';
import { layoutWalk, type WalkViewModel } from './walk/layout.ts';

const accelRows = (vm: WalkViewModel) => vm.parts.find((p) => p.kind === 'accel')?.rows ?? [];

const presetFiles = import.meta.glob<string>('../../public/scenarios/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const presets: [string, Scenario][] = Object.entries(presetFiles)
  .filter(([path]) => !path.endsWith('index.json'))
  .map(([path, text]) => {
    const parsed = parseScenarioText(text);
    if (!parsed.ok) throw new Error(`${path}: ${JSON.stringify(parsed.errors)}`);
    return [path.replace(/^.*\//, ''), parsed.scenario];
  });

const CHAIN = ['root', 'context', 'directory', 'table', 'entry', 'accel', 'emulated'];

describe('the views on every preset', () => {
  it('has presets to check', () => {
    expect(presets.length).toBeGreaterThanOrEqual(12);
  });

  it.each(presets)(
    '%s: every event lays out, explains and maps to a pseudo-code line',
    (_name, scenario) => {
      const run = runScenario(scenario);
      const index = buildTraceIndex(run.trace);
      const memoryAt = fixtureMemoryAt(scenario);
      const stride = Math.max(1, Math.floor(run.trace.length / 400));
      for (let e = 0; e < run.trace.length; e += stride) {
        const x = explainStep(index, e, { scenario, memoryAt });
        expect(x.sentence, `event ${String(e)}`).not.toMatch(/undefined|NaN|\[object/);
        const ref = lineForEvent(run.trace, e);
        expect(ref, `event ${String(e)} kind ${String(run.trace.kind[e])}`).toBeDefined();
        expect(lineIndex(ref!)).toBeGreaterThanOrEqual(0);
        const vm = layoutWalk({ index, cursor: e, scenario, memoryAt, width: 1000 });
        expect(vm.lanes).toHaveLength(scenario.devices.length);
        expect(vm.lanes.filter((l) => l.active)).toHaveLength(1);
        // The chain's seven parts, then for an iommufd device the host lane and its hwpts
        // (the nesting parent at least), the lane lit at each host call.
        expect(vm.parts.slice(0, 7).map((p) => p.kind)).toEqual(CHAIN);
        const active = scenario.devices.find((d) => d.bdf === vm.lanes.find((l) => l.active)?.bdf);
        const host = vm.parts.slice(7);
        if (active?.backend === 'iommufd' && run.trace.devices.includes(active.bdf)) {
          expect(host[0]?.kind).toBe('host');
          expect(host.slice(1).every((p) => p.kind === 'hwpt')).toBe(true);
          expect(host.some((p) => /^Host hwpt 1: nesting parent/.test(p.name))).toBe(true);
          if (run.trace.kind[e] === TraceKind.HostCall) expect(host[0]?.lit).toBe(true);
        } else {
          expect(host).toEqual([]);
        }
        expect(new Set(vm.parts.map((p) => p.key)).size).toBe(vm.parts.length);
        const keys = vm.parts.flatMap((p) => [...p.cells, ...p.rows]).map((i) => i.key);
        expect(new Set(keys).size, `unique keys at event ${String(e)}`).toBe(keys.length);
      }
      // The cost view's walk counters agree with the model's own, step by step.
      run.steps.forEach((s, k) => {
        if (!s.accelWalk) return;
        const cost = stepCost(run.trace, k).total;
        expect([cost.walkDirReads, cost.walkLeafReads, cost.listCompares]).toEqual([
          s.accelWalk.dirReads,
          s.accelWalk.entryReads,
          s.accelWalk.listCompares,
        ]);
      });
    },
    20_000,
  );
});

describe('the views on real runs', () => {
  it('shows the fixture scenario’s creation as the model traces it', () => {
    const scenario = fixtureScenario();
    const run = runScenario(scenario);
    const index = buildTraceIndex(run.trace);
    const { kind, a, pasid } = run.trace;
    let created = -1;
    for (let e = 0; e < run.trace.length && created < 0; e++) {
      if (kind[e] === TraceKind.LeafChecked && a[e] === 5 && pasid[e] === 0x41) created = e;
    }
    const vm = layoutWalk({
      index,
      cursor: created,
      scenario,
      memoryAt: fixtureMemoryAt(scenario),
      width: 1200,
    });
    expect(accelRows(vm).find((r) => r.key === 'cache:00:02.0:0x41')?.state).toBe('created');
    expect(explainStep(index, created, { scenario }).sentence).toContain(
      'inserted at the list head',
    );
    // Stepping back before it: the list is empty again.
    const before = layoutWalk({ index, cursor: created - 1, scenario, width: 1200 });
    expect(accelRows(before)).toHaveLength(0);
  });

  it('shows the update of a changed entry with its changed field', () => {
    const scenario = fixtureScenario();
    const run = runScenario(scenario);
    const index = buildTraceIndex(run.trace);
    const memoryAt = fixtureMemoryAt(scenario);
    const { kind, a, pasid } = run.trace;
    let updated = -1;
    for (let e = 0; e < run.trace.length && updated < 0; e++) {
      if (kind[e] === TraceKind.LeafChecked && a[e] === 6 && pasid[e] === 0x41) updated = e;
    }
    expect(updated).toBeGreaterThan(0);
    const vm = layoutWalk({ index, cursor: updated, scenario, memoryAt, width: 1200 });
    expect(accelRows(vm).find((r) => r.key === 'cache:00:02.0:0x41')?.state).toBe('updated');
    expect(vm.callout?.texts.map((t) => t.text).join(' ')).toContain('FSPTPTR 0x6000 → 0x7000');
    expect(explainStep(index, updated, { scenario, memoryAt }).details.join(' ')).toContain(
      'FSPTPTR 0x6000 → 0x7000',
    );
  });

  it('keeps a real 2^20-PASID walk aggregated', () => {
    const scenario = globalSyncScenario({ devices: 1, pasidBits: 20 });
    const run = runScenario(scenario);
    const index = buildTraceIndex(run.trace);
    const last = run.trace.length - 1;
    const vm = layoutWalk({
      index,
      cursor: last,
      scenario,
      memoryAt: fixtureMemoryAt(scenario),
      width: 1200,
    });
    const dir = vm.parts.find((p) => p.kind === 'directory');
    expect(dir?.cells.length).toBeLessThan(400);
    expect(dir?.name).toContain('16,384 entries');
    expect(accelRows(vm).at(-1)?.text).toMatch(/^16,3\d\d more/);
    expect(vm.lanes[0]?.texts.map((t) => t.text).join(' ')).toContain('[0x0, 0x100000)');
  });
});

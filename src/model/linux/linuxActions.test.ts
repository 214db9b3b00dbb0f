// The Linux driver's actions as steps: flavours, caching mode, the `linux` step of a scenario file
// (parsed, run, exported as a plain scenario), and the refusals a user can hit.

import { describe, expect, it } from 'vitest';
import { DescType, descriptorTypeCode } from '../invalidation/descriptorType.ts';
import { runScenario } from '../run/runScenario.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import { scenarioToFile } from '../scenario/scenarioToFile.ts';
import type { Scenario, ScenarioStep } from '../scenario/scenarioTypes.ts';
import { appendLinuxAction } from './appendLinuxAction.ts';
import type { LinuxAction, LinuxFlavour } from './linuxActions.ts';

const BASE = {
  format: 'pasidscope-scenario',
  version: 1,
  iommu: { rootTableAddr: '0x1000', fsts: false, pasidBits: 0 },
  devices: [
    { bdf: '00:02.0', backend: 'emulated' },
    { bdf: '00:03.0', backend: 'emulated' },
  ],
};

function load(steps: readonly unknown[], extra: Record<string, unknown> = {}): Scenario {
  const r = parseScenario({ ...BASE, ...extra, steps });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

function loadError(steps: readonly unknown[]): string {
  const r = parseScenario({ ...BASE, steps });
  if (r.ok) throw new Error('expected an error');
  return r.errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}

const attach = (flavour: LinuxFlavour, cachingMode = true, did = 2, bdf = '00:02.0') => ({
  op: 'linux',
  action: 'setupPasid',
  bdf,
  did,
  pageTable: '0x200000',
  flavour,
  cachingMode,
});

const isDesc = (s: ScenarioStep, type: number): boolean =>
  s.op === 'invalidate' && descriptorTypeCode(s.desc[0] ?? 0n) === type;
const indexOf = (steps: readonly ScenarioStep[], pred: (s: ScenarioStep) => boolean): number =>
  steps.findIndex(pred);
const contextWrite = (s: ScenarioStep): boolean =>
  s.op === 'write' && (s.note ?? '').includes('context entry');

describe('Linux actions as scenario steps', () => {
  it('become plain writes and descriptors that every version can run, exported and re-read intact', () => {
    const s = load([{ op: 'linux', action: 'setRootTable' }, attach('linux-6.1')]);
    expect(s.steps.every((x) => x.op === 'write' || x.op === 'invalidate')).toBe(true);
    expect(s.steps.every((x) => (x.note ?? '').length > 0)).toBe(true);
    const file = scenarioToFile(s);
    expect(
      (file.steps as { op: string }[]).every((x) => x.op === 'write' || x.op === 'invalidate'),
    ).toBe(true);
    const again = parseScenario(JSON.parse(JSON.stringify(file)));
    expect(again.ok && again.scenario).toEqual(s);
    const r = runScenario(s);
    expect(r.steps.every((x) => x.status === 'processed' || x.status === 'applied')).toBe(true);
  });

  it('follows every descriptor with the wait descriptor qi_submit_sync appends', () => {
    const s = load([{ op: 'linux', action: 'setRootTable' }, attach('linux-2026')]);
    s.steps.forEach((x, i) => {
      if (x.op !== 'invalidate' || isDesc(x, DescType.Wait)) return;
      const next = s.steps[i + 1];
      expect(next && isDesc(next, DescType.Wait)).toBe(true);
      expect(next?.op === 'invalidate' && next.desc[0]).toBe(0x0000_0002_0000_0025n);
    });
  });

  it('6.1 maps the context after the PASID entry, so its set-up flush finds nothing; 2026 maps it at probe', () => {
    for (const flavour of ['linux-6.1', 'linux-2026'] as const) {
      const s = load([attach(flavour)]);
      const pc = indexOf(s.steps, (x) => isDesc(x, DescType.PasidCache));
      const ctx = indexOf(s.steps, contextWrite);
      expect(pc).toBeGreaterThanOrEqual(0);
      expect(ctx).toBeGreaterThanOrEqual(0);
      const r = runScenario(s);
      const changes = r.steps[pc]!.changes;
      if (flavour === 'linux-6.1') {
        expect(ctx).toBeGreaterThan(pc);
        expect(changes).toEqual([]);
      } else {
        expect(ctx).toBeLessThan(pc);
        expect(changes).toEqual([{ cache: 'emulated', bdf: '00:02.0', pasid: 0, kind: 'created' }]);
      }
    }
  });

  it('without caching mode skips the set-up flushes but not the teardown ones', () => {
    for (const flavour of ['linux-6.1', 'linux-2026'] as const) {
      const setup = load([attach(flavour, false)]);
      expect(setup.steps.filter((x) => x.op === 'invalidate')).toEqual([]);
      const both = load([
        attach(flavour, false),
        { op: 'linux', action: 'tearDown', bdf: '00:02.0', flavour, cachingMode: false },
      ]);
      const tornPc = both.steps.filter((x) => isDesc(x, DescType.PasidCache));
      expect(tornPc).toHaveLength(1);
    }
  });

  it('tears down with the DID read from the entry and releases as each flavour does', () => {
    const s61 = load([
      attach('linux-6.1', true, 7),
      { op: 'linux', action: 'release', bdf: '00:02.0' },
    ]);
    const s26 = load([
      attach('linux-2026', true, 7),
      { op: 'linux', action: 'release', bdf: '00:02.0', flavour: 'linux-2026' },
    ]);
    const pcDids = (s: Scenario, from: number) =>
      s.steps
        .slice(from)
        .filter((x) => isDesc(x, DescType.PasidCache) || isDesc(x, DescType.ContextCache))
        .map((x) =>
          x.op === 'invalidate'
            ? [descriptorTypeCode(x.desc[0]!), Number((x.desc[0]! >> 16n) & 0xffffn)]
            : [],
        );
    const after = (s: Scenario) => s.steps.findIndex((x) => (x.note ?? '').includes('tear_down'));
    // 6.1: PC (old DID), CC device (old DID), PC domain (old DID); 2026: PC (old DID), CC device (DID 0).
    expect(pcDids(s61, after(s61))).toEqual([
      [7, 7],
      [1, 7],
      [7, 7],
    ]);
    expect(pcDids(s26, after(s26))).toEqual([
      [7, 7],
      [1, 0],
    ]);
    for (const s of [s61, s26]) {
      const r = runScenario(s);
      expect(r.steps.every((x) => x.status !== 'rejected')).toBe(true);
    }
  });

  it('refuses what the driver would refuse, naming the step', () => {
    expect(loadError([attach('linux-6.1', true, 2, '00:09.0')])).toMatch(
      /\$\.steps\[0\]: no device 00:09\.0/,
    );
    expect(loadError([attach('linux-6.1', true, 1)])).toMatch(/DID 1 is not one Linux gives/);
    expect(loadError([attach('linux-6.1'), attach('linux-6.1')])).toMatch(
      /\$\.steps\[1\]: PASID 0 of 00:02\.0 is already present .*-EBUSY/,
    );
    expect(loadError([{ op: 'linux', action: 'tearDown', bdf: '00:02.0' }])).toMatch(
      /no PASID entry/,
    );
    expect(loadError([{ op: 'linux', action: 'release', bdf: '00:03.0' }])).toMatch(
      /never attached/,
    );
    expect(
      loadError([{ op: 'linux', action: 'setupPasid', bdf: '00:02.0', pageTable: '0x1000' }]),
    ).toMatch(/\$\.steps\[0\]\.did: required/);
    expect(loadError([{ op: 'linux', action: 'release', bdf: '00:02.0', did: 3 }])).toMatch(
      /\$\.steps\[0\]\.did: .*takes no "did"/,
    );
    expect(loadError([{ op: 'linux', action: 'boot' }])).toMatch(/\$\.steps\[0\]\.action/);
  });

  it('appends to a scenario in the app, reusing its status word, leaving the scenario alone on error', () => {
    const s = load([{ op: 'linux', action: 'setRootTable', statusAddr: '0x9000' }]);
    const action: LinuxAction = {
      kind: 'setupPasid',
      bdf: '00:03.0',
      pasid: 0,
      did: 4,
      setup: 'pass-through',
      pageTable: 0n,
    };
    const r = appendLinuxAction(s, action, { flavour: 'linux-2026', cachingMode: true });
    if (!r.ok) throw new Error(r.message);
    expect(r.scenario.steps.slice(0, s.steps.length)).toEqual(s.steps);
    expect(r.added).toBe(r.scenario.steps.length - s.steps.length);
    const waits = r.scenario.steps.filter((x) => isDesc(x, DescType.Wait));
    expect(new Set(waits.map((x) => (x.op === 'invalidate' ? x.desc[1] : 0n)))).toEqual(
      new Set([0x9000n]),
    );
    // Pass-through always uses DID 1, whatever was typed.
    const pc = r.scenario.steps.find(
      (x) => isDesc(x, DescType.PasidCache) && (x.note ?? '').includes('pasid_flush_caches'),
    );
    expect(pc?.op === 'invalidate' && (pc.desc[0]! >> 16n) & 0xffffn).toBe(1n);
    const again = appendLinuxAction(r.scenario, action, {
      flavour: 'linux-2026',
      cachingMode: true,
    });
    expect(again.ok).toBe(false);
  });
});

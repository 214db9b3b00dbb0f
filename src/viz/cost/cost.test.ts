import { describe, expect, it } from 'vitest';
import { runScenario } from '../../model/index.ts';
import { fixtureTrace } from '../trace/traceFixture.ts';
import { layoutCostChart, type MeasuredPoint } from './costChart.ts';
import { stepCost } from './costModel.ts';
import { globalSyncScenario } from './costScenarios.ts';

describe('cost of a step', () => {
  it('counts the walk’s directory and leaf reads, runs included', () => {
    const cost = stepCost(fixtureTrace(), 0);
    const dev = cost.devices[0]!;
    // PDTS 0: 128 directory entries, 2 of them present with 64 leaf entries each.
    expect(dev.walkDirReads).toBe(128);
    expect(dev.walkLeafReads).toBe(128);
    expect(dev.bytes).toBe(128 * 8 + 128 * 64);
    expect(dev.created).toBe(1);
    expect(cost.total.walkLeafReads).toBe(128);
  });

  it('agrees with the model’s own accelWalk counters on a generated scenario', () => {
    const run = runScenario(globalSyncScenario({ devices: 2, pasidBits: 10 }));
    const cost = stepCost(run.trace, 0);
    const walk = run.steps[0]!.accelWalk!;
    expect(cost.total.walkDirReads).toBe(walk.dirReads);
    expect(cost.total.walkLeafReads).toBe(walk.entryReads);
    expect(cost.total.listCompares).toBe(walk.listCompares);
    // 2^10 PASIDs per device: 16 directory entries and 1,024 leaf entries each.
    expect(cost.devices.map((d) => d.walkDirReads)).toEqual([16, 16]);
    expect(cost.devices.map((d) => d.walkLeafReads)).toEqual([1024, 1024]);
    // Every context lookup (and the PASID-0 check) reads real bytes too.
    expect(cost.total.contextLookups).toBeGreaterThanOrEqual(2);
    expect(cost.total.bytes).toBeGreaterThan(2 * (16 * 8 + 1024 * 64));
  });

  it('grows with pasid-bits and the number of devices', () => {
    const leaf = (devices: number, pasidBits: number): number =>
      stepCost(runScenario(globalSyncScenario({ devices, pasidBits })).trace, 0).total
        .walkLeafReads;
    expect(leaf(1, 8)).toBe(256);
    expect(leaf(1, 12)).toBe(4096);
    expect(leaf(4, 12)).toBe(4 * 4096);
  });
});

describe('cost chart', () => {
  it('draws one line per device count, rising with pasid-bits', () => {
    const pts: MeasuredPoint[] = [1, 2].flatMap((devices) =>
      [8, 12, 16].map((pasidBits) => ({
        devices,
        pasidBits,
        bytes: devices * 2 ** pasidBits * 64,
        leafReads: devices * 2 ** pasidBits,
        dirReads: 0,
        listCompares: 0,
        ms: 1,
      })),
    );
    const m = layoutCostChart(pts, 'bytes', 400, 200);
    expect(m.series.map((s) => s.key)).toEqual(['devices:1', 'devices:2']);
    const line = m.series[0]!.points;
    expect(line[0]!.y).toBeGreaterThan(line[2]!.y); // higher cost is drawn higher up
    expect(m.series[1]!.points[0]!.y).toBeLessThan(line[0]!.y);
    expect(m.yTicks.length).toBeGreaterThan(1);
  });
});

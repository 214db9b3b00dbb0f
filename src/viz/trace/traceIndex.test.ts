import { describe, expect, it } from 'vitest';
import { accelListAt, emuEntryAt } from '../walk/cacheReplay.ts';
import { eventContext } from './eventContext.ts';
import { fixtureTrace } from './traceFixture.ts';
import { runScenario } from '../../model/index.ts';
import { stepCost } from '../cost/costModel.ts';
import { globalSyncScenario } from '../cost/costScenarios.ts';
import { MARK_STATES, markFromCode, markerState } from './interesting.ts';
import { TraceIndexBuilder, buildTraceIndex, stepOfEvent } from './traceIndex.ts';
import { CELL_STYLES, type CellState } from '../walk/cellStates.ts';

// Event offsets inside one fixture walk (see traceFixture.ts).
const W = { sync: 2, emu: 4, clamp: 7, dir0: 8, leaf0: 9, dir1: 11, leaf41: 13, dirRest: 15 };
const STEP = [0, 16, 17, 33];

describe('trace index', () => {
  const trace = fixtureTrace();
  const index = buildTraceIndex(trace);

  it('maps events to scenario steps', () => {
    expect(stepOfEvent(trace, 0)).toBe(0);
    expect(stepOfEvent(trace, 15)).toBe(0);
    expect(stepOfEvent(trace, 16)).toBe(1);
    expect(stepOfEvent(trace, 17)).toBe(2);
    expect(stepOfEvent(trace, trace.length - 1)).toBe(3);
  });

  it('logs every accel list change of the device in order', () => {
    const log = index.accel[0]!;
    expect(Array.from(log.event)).toEqual([W.leaf41, STEP[2]! + W.leaf0, STEP[2]! + W.leaf41]);
    expect(Array.from(log.pasid)).toEqual([0x41, 0, 0x41]);
    expect(Array.from(log.length)).toEqual([1, 2, 2]);
  });

  it('replays the list head first at any cursor, forwards or backwards', () => {
    const at = (c: number): number[] => accelListAt(index, 0, c, 10).head.map((e) => e.pasid);
    expect(at(W.leaf41 - 1)).toEqual([]);
    expect(at(W.leaf41)).toEqual([0x41]);
    expect(at(STEP[2]! + W.leaf0)).toEqual([0, 0x41]);
    expect(at(trace.length - 1)).toEqual([0, 0x41]);
    // back again
    expect(at(W.leaf41)).toEqual([0x41]);
    const last = accelListAt(index, 0, trace.length - 1, 10);
    expect(last.length).toBe(2);
    expect(last.head.find((e) => e.pasid === 0x41)?.wordsEvent).toBe(STEP[2]! + W.leaf41);
  });

  it('tracks the emulated entry of each address space', () => {
    expect(emuEntryAt(index, 0, 0, STEP[2]! + W.emu - 1).valid).toBe(false);
    const st = emuEntryAt(index, 0, 0, STEP[2]! + W.emu);
    expect(st).toMatchObject({ valid: true, wordsEvent: STEP[2]! + W.emu });
  });

  it('finds the sync, the range and the walk segment around an event', () => {
    const ctx = eventContext(index, W.leaf0);
    expect(ctx.step).toBe(0);
    expect(ctx.sync).toMatchObject({ type: 0, did: 3, viaReplay: false });
    expect(ctx.rangeInit).toMatchObject({ start: 0, end: 1 << 20, pasidBits: 20 });
    expect(ctx.rangeClamp).toMatchObject({ device: 0, pdts: 0, end: 8192 });
    expect(ctx.walk).toMatchObject({ start: W.clamp + 1, end: 16 });
    expect(ctx.accelDevice?.device).toBe(0);
    // The emulated part of the sync comes before any accel device.
    const emu = eventContext(index, STEP[3]! + W.emu);
    expect(emu.sync?.did).toBe(5);
    expect(emu.accelDevice).toBeUndefined();
    expect(emu.rangeClamp).toBeUndefined();
  });

  it('builds the same index in slices as at once, with each step’s cost', () => {
    const big = runScenario(globalSyncScenario({ devices: 2, pasidBits: 18 })).trace;
    const whole = buildTraceIndex(big);
    const builder = new TraceIndexBuilder(big);
    let slices = 0;
    while (!builder.run(() => true)) slices += 1;
    expect(slices).toBeGreaterThan(3); // it did yield
    const sliced = builder.result();
    expect(Array.from(sliced.frames)).toEqual(Array.from(whole.frames));
    expect(Array.from(sliced.interesting)).toEqual(Array.from(whole.interesting));
    expect(Array.from(sliced.interestingMark)).toEqual(Array.from(whole.interestingMark));
    expect(sliced.accel.map((l) => Array.from(l.pasid))).toEqual(
      whole.accel.map((l) => Array.from(l.pasid)),
    );
    expect(sliced.costs).toEqual(whole.costs);
    expect(sliced.costs[0]).toEqual(stepCost(big, 0));
  });

  it('keeps each interesting event’s timeline mark, coded, beside it', () => {
    expect(index.interestingMark.length).toBe(index.interesting.length);
    const decoded = Array.from(index.interesting, (e, k) => [
      markFromCode(index.interestingMark[k] ?? 0),
      markerState(trace, e),
    ]);
    for (const [fromIndex, direct] of decoded) expect(fromIndex).toBe(direct);
    expect(decoded.some(([m]) => m === 'created')).toBe(true);
  });

  it('can code every cell state as a mark, each once', () => {
    const all = Object.keys(CELL_STYLES) as CellState[];
    expect([...MARK_STATES].sort()).toEqual([...all].sort());
  });
});

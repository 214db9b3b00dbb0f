import { describe, expect, it } from 'vitest';
import { HostCallOp, LeafOutcome, Structure, TraceKind } from '../../../model/core.ts';
import { buildTrace } from '../../trace/traceFixture.ts';
import { litPartsOf } from './litParts.ts';

describe('the parts an event lights', () => {
  const trace = buildTrace(
    [
      [
        { kind: TraceKind.GuestRead, fn: 1, device: 0, a: Structure.RootEntry },
        { kind: TraceKind.GuestRead, fn: 1, device: 0, a: Structure.ContextEntry },
        { kind: TraceKind.GuestRead, fn: 1, device: 0, a: Structure.PasidDirEntry },
        { kind: TraceKind.GuestRead, fn: 1, device: 0, a: Structure.PasidEntry },
        { kind: TraceKind.LeafChecked, fn: 17, device: 0, a: LeafOutcome.Created },
        { kind: TraceKind.LeafChecked, fn: 17, device: 0, a: LeafOutcome.NotPresent },
        { kind: TraceKind.EmuCreated, fn: 9, device: 0 },
        { kind: TraceKind.AccelRemoved, fn: 14, device: 0 },
        { kind: TraceKind.DescFetched, fn: 1 },
        { kind: TraceKind.HostCall, fn: 20, device: 0, pasid: 5, a: HostCallOp.Attach, b: 2 },
      ],
    ],
    ['00:02.0'],
  );
  const lit = (e: number) => [...litPartsOf(trace, e)].sort();

  it('maps each read of the chain to its part', () => {
    expect(lit(0)).toEqual(['root']);
    expect(lit(1)).toEqual(['context']);
    expect(lit(2)).toEqual(['directory']);
    expect(lit(3)).toEqual(['entry', 'table']);
  });

  it('lights the caches an outcome changes, and nothing for queue events', () => {
    expect(lit(4)).toEqual(['accel', 'entry', 'table']);
    expect(lit(5)).toEqual(['entry', 'table']);
    expect(lit(6)).toEqual(['emulated']);
    expect(lit(7)).toEqual(['accel']);
    expect(lit(8)).toEqual([]);
  });

  it('lights the host lane for a host call', () => {
    expect(lit(9)).toEqual(['host']);
  });
});

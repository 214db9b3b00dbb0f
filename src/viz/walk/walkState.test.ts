import { describe, expect, it } from 'vitest';
import { Structure, TraceKind } from '../../model/index.ts';
import { buildTrace } from '../trace/traceFixture.ts';
import { walkTargetPasid } from './walkState.ts';

describe("the walk's target PASID entry", () => {
  const trace = buildTrace(
    [
      [
        { kind: TraceKind.GuestRead, fn: 1, device: 0, pasid: 0, a: Structure.PasidEntry },
        { kind: TraceKind.DirChecked, fn: 15, device: 0, pasid: 64, a: 3, b: 128 },
        { kind: TraceKind.GuestRead, fn: 1, device: 0, pasid: 64, a: Structure.PasidDirEntry },
        { kind: TraceKind.LeafChecked, fn: 16, device: 0, pasid: 69, a: 1 },
        { kind: TraceKind.LeafChecked, fn: 16, device: 0, pasid: 70, a: 3 },
        { kind: TraceKind.GuestRead, fn: 1, device: 0, pasid: 0, a: Structure.PasidEntry },
      ],
    ],
    ['00:02.0'],
  );
  const segment = {
    device: 0,
    clamp: { start: 0, end: 128 } as never,
    start: 1,
    end: 6,
  };

  it('is the leaf check the walk comes to next, not the entry read last', () => {
    expect(walkTargetPasid(trace, segment, 0)).toBe(69);
    expect(walkTargetPasid(trace, segment, 2)).toBe(69);
    expect(walkTargetPasid(trace, segment, 4)).toBe(70);
  });

  it('is the last leaf checked once the walk checks no more', () => {
    expect(walkTargetPasid(trace, segment, 5)).toBe(70);
    expect(walkTargetPasid(trace, { ...segment, start: 1, end: 3 }, 2)).toBeUndefined();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureScenario, fixtureTrace } from '../trace/traceFixture.ts';
import { buildTraceIndex } from '../trace/traceIndex.ts';
import { eventToX, layoutTimeline, stepLabel, xToEvent } from './timelineLayout.ts';

describe('timeline track', () => {
  const trace = fixtureTrace();
  const scenario = fixtureScenario();
  const model = layoutTimeline(buildTraceIndex(trace), 600, scenario);

  it('gives every step a segment, in order, filling the width', () => {
    expect(model.segments.map((s) => s.label)).toEqual(['DSI 3', 'write', 'global', 'DSI 5']);
    expect(model.segments[0]!.x0).toBe(0);
    expect(model.segments.at(-1)!.x1).toBeCloseTo(600);
    // The one-event write is narrower than a walk, but still there.
    const write = model.segments[1]!;
    expect(write.x1 - write.x0).toBeGreaterThanOrEqual(3);
    expect(write.x1 - write.x0).toBeLessThan(model.segments[0]!.x1 - model.segments[0]!.x0);
  });

  it('scrubs back to the same event it draws', () => {
    fc.assert(
      fc.property(fc.nat(trace.length - 1), (e) => {
        expect(xToEvent(model, eventToX(model, e))).toBe(e);
      }),
    );
  });

  it('marks creations, updates and mismatches', () => {
    const states = new Set(model.markers.map((m) => m.state));
    expect(states.has('created')).toBe(true);
    expect(states.has('updated')).toBe(true);
    expect(states.has('did-mismatch')).toBe(true);
  });

  it('labels descriptors by what they invalidate', () => {
    expect(stepLabel({ op: 'invalidate', desc: [0x41_0005_0017n, 0n, 0n, 0n] })).toBe(
      'PSI 5 · 0x41',
    );
    expect(stepLabel({ op: 'invalidate', desc: [0x11n, 0n] })).toBe('CC global');
    expect(stepLabel({ op: 'invalidate', desc: [0x25n, 0n] })).toBe('wait');
    expect(stepLabel({ op: 'clearIqe' })).toBe('clear IQE');
  });
});

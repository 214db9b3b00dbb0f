import { describe, expect, it } from 'vitest';
import { TraceKind, Structure } from '../../../model/core.ts';
import { eventContext } from '../../trace/eventContext.ts';
import { buildTrace } from '../../trace/traceFixture.ts';
import { buildTraceIndex } from '../../trace/traceIndex.ts';
import { calloutFor, layoutCallout, wrapCallout } from './callout.ts';

describe('the callout', () => {
  it('wraps a long outcome onto a second line and cuts what still does not fit', () => {
    const long = 'PASID 0x3ff: cached copy equals memory — nothing to do at all here';
    const w = wrapCallout([long], 200);
    expect(w.lines).toHaveLength(2);
    expect(w.mainLines).toBe(2);
    expect(w.lines.join(' ').replace('…', '')).toContain('PASID 0x3ff: cached copy');
    const short = wrapCallout(['+ PASID 0x5 created', 'searched 0 entries'], 400);
    expect(short).toEqual({ lines: ['+ PASID 0x5 created', 'searched 0 entries'], mainLines: 1 });
  });

  it('says what QEMU reads, so the drawing never says less than the explanation', () => {
    const trace = buildTrace(
      [[{ kind: TraceKind.GuestRead, fn: 1, device: 0, a: Structure.ContextEntry, addr: 0x5200n }]],
      ['00:02.0'],
    );
    const index = buildTraceIndex(trace);
    const facts = calloutFor({ index, cursor: 0 }, eventContext(index, 0), 0, '00:02.0');
    expect(facts?.lines[0]).toBe('QEMU reads the context entry @ 0x5200');
    const model = layoutCallout(facts!, { x: 0, y: 0, w: 600, h: 44 });
    expect(model.texts[0]?.size).toBeGreaterThan(12);
  });
});

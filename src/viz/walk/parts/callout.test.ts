import { describe, expect, it } from 'vitest';
import { HostCallOp, QemuFn, TraceKind, Structure } from '../../../model/core.ts';
import { eventContext } from '../../trace/eventContext.ts';
import { buildTrace } from '../../trace/traceFixture.ts';
import { buildTraceIndex } from '../../trace/traceIndex.ts';
import { CALLOUT_H, calloutFor, calloutHeight, layoutCallout, wrapCallout } from './callout.ts';

describe('the callout', () => {
  it('wraps a long outcome onto as many lines as it needs, cutting nothing', () => {
    const long = 'PASID 0x3ff: cached copy equals memory — nothing to do at all here';
    const w = wrapCallout([long, 'a note that is long enough to need a second line here'], 200);
    expect(w.mainLines).toBeGreaterThan(2);
    expect(w.lines.slice(0, w.mainLines).join(' ')).toBe(long);
    expect(w.lines.length).toBeGreaterThan(w.mainLines + 1);
    expect(w.lines.join(' ')).not.toContain('…');
    const box = { x: 0, y: 0, w: 220, h: calloutHeight({ state: 'info', lines: [long] }, 220) };
    expect(box.h).toBeGreaterThan(CALLOUT_H);
    const model = layoutCallout({ state: 'info', lines: [long] }, box);
    for (const t of model.texts) expect(t.y + 6).toBeLessThanOrEqual(box.h);
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

  it('says what a host call did, and what a failed one leaves behind', () => {
    const trace = buildTrace(
      [
        [
          {
            kind: TraceKind.HostCall,
            fn: 20,
            device: 0,
            pasid: 5,
            a: HostCallOp.Attach,
            b: 2,
            c: 0,
          },
          {
            kind: TraceKind.HostCall,
            fn: 20,
            device: 0,
            pasid: 0,
            a: HostCallOp.Attach,
            b: 2,
            c: 0,
          },
          {
            kind: TraceKind.HostCall,
            fn: 24,
            device: 0,
            pasid: 5,
            a: HostCallOp.Invalidate,
            b: 3,
            c: 1,
            addr: 0x7000n,
          },
          {
            kind: TraceKind.HostCall,
            fn: QemuFn.vtd_device_detach_iommufd,
            device: 0,
            pasid: 5,
            a: HostCallOp.Detach,
            c: 0,
          },
        ],
      ],
      ['00:02.0'],
    );
    const index = buildTraceIndex(trace);
    const at = (e: number) =>
      calloutFor({ index, cursor: e }, eventContext(index, e), 0, '00:02.0');
    expect(at(0)).toEqual({
      state: 'invalid',
      lines: [
        '× host refuses to attach PASID 0x5 to hwpt 2',
        'entry cached, not bound: QEMU retries only when the guest entry changes',
      ],
    });
    expect(at(1)?.lines[1]).toBe(
      "PASID 0 stays on the GPA→HPA parent: DMA bypasses the guest's table",
    );
    expect(at(2)?.lines[0]).toBe('⇢ PIOTLB forwarded to hwpt 3 (PASID 0x5) @ 0x7000');
    expect(at(3)?.lines[1]).toBe('QEMU drops the entry anyway: its hwpt leaks');
  });

  it("names the series' fall-through at the emulated re-creation, and only there", () => {
    const trace = buildTrace(
      [
        [
          { kind: TraceKind.EmuCreated, fn: 1, device: 0, pasid: 5, b: 1 },
          { kind: TraceKind.EmuCreated, fn: 1, device: 0, pasid: 5, b: 0, addr: 0x4140n },
        ],
      ],
      ['00:03.0'],
    );
    const index = buildTraceIndex(trace);
    const at = (e: number) =>
      calloutFor({ index, cursor: e }, eventContext(index, e), 0, '00:03.0');
    expect(at(0)?.lines[0]).toMatch(/^\+ address space PASID 0x5: fall-through/);
    expect(at(0)?.lines[1]).toContain('(all zero)');
    expect(at(1)?.lines).toEqual(['+ address space PASID 0x5: entry cached (valid)']);
  });
});

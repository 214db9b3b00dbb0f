import { describe, expect, it } from 'vitest';
import type { VARIANTS } from '../../model/index.ts';
import {
  DirOutcome,
  LeafOutcome,
  QEMU_FUNCTIONS,
  QemuFn,
  RejectReason,
  RemovalOutcome,
  TraceKind,
} from '../../model/index.ts';
import { eventContext } from '../trace/eventContext.ts';
import { buildTrace, fixtureTrace } from '../trace/traceFixture.ts';
import { buildTraceIndex } from '../trace/traceIndex.ts';
import { callChain, lineForEvent, lineIndex } from './lineForEvent.ts';
import { PSEUDOCODE, linesFor } from './qemuPseudocode.ts';

describe('pseudo-code', () => {
  it('has a block for every QEMU function of the trace, named after it', () => {
    for (const fn of Object.values(QemuFn)) {
      expect(PSEUDOCODE[fn].name).toBe(QEMU_FUNCTIONS[fn].name);
      expect(PSEUDOCODE[fn].file).toBe(QEMU_FUNCTIONS[fn].file);
      if (fn !== QemuFn.guest) expect(PSEUDOCODE[fn].signature).toContain(QEMU_FUNCTIONS[fn].name);
      const tags = PSEUDOCODE[fn].lines.flatMap((l) => (l.tag ? [l.tag] : []));
      expect(new Set(tags).size).toBe(tags.length);
    }
  });

  it('maps every event kind and outcome to a tagged line that exists', () => {
    const outcomes: Record<number, readonly number[]> = {
      [TraceKind.DirChecked]: Object.values(DirOutcome),
      [TraceKind.LeafChecked]: Object.values(LeafOutcome),
      [TraceKind.DescRejected]: Object.values(RejectReason),
      [TraceKind.AccelRemovalCheck]: Object.values(RemovalOutcome),
      [TraceKind.EmuSkip]: [1, 2, 3],
      [TraceKind.SyncGated]: [1, 2, 3],
      [TraceKind.PcInfoBuilt]: [0, 1, 3],
      [TraceKind.ContextCacheInv]: [1, 2, 3],
      [TraceKind.GuestRead]: [1, 2, 3, 4, 5],
      [TraceKind.HostCall]: [1, 2, 3, 4, 5, 6],
    };
    const events = Object.values(TraceKind).flatMap((kind) =>
      (outcomes[kind] ?? [0]).map((a) => ({ kind, a })),
    );
    const trace = buildTrace([events], ['00:02.0']);
    for (let i = 0; i < trace.length; i++) {
      const ref = lineForEvent(trace, i);
      expect(ref, `event kind ${String(trace.kind[i])}`).toBeDefined();
      expect(lineIndex(ref!), `${PSEUDOCODE[ref!.fn].name} has ${ref!.tag}`).toBeGreaterThanOrEqual(
        0,
      );
    }
  });

  it('shows the series-only removal pass only in the series variants', () => {
    const accel = PSEUDOCODE[QemuFn.vtd_accel_pasid_cache_sync];
    const tags = (v: (typeof VARIANTS)[number]) => linesFor(accel, v).map((l) => l.tag);
    expect(tags('seed')).not.toContain('invalidate');
    expect(tags('series')).toContain('invalidate');
    expect(tags('series-fixed')).toContain('bypass');
  });

  it('tells the series apart by its missing return after an emulated removal', () => {
    const locked = PSEUDOCODE[QemuFn.vtd_pasid_cache_sync_locked];
    const ret = (v: (typeof VARIANTS)[number]) =>
      linesFor(locked, v).find((l) => l.tag === 'remove-return')?.text;
    expect(ret('seed')).toBe('return');
    expect(ret('series-fixed')).toBe('return');
    expect(ret('series')).toMatch(/falls through/);
  });

  it('builds the call chain from the queue to the walk', () => {
    const trace = fixtureTrace();
    const index = buildTraceIndex(trace);
    const ctx = eventContext(index, 13);
    const names = callChain(QemuFn.vtd_accel_fill_pc, ctx, true).map((f) => QEMU_FUNCTIONS[f].name);
    expect(names).toEqual([
      'vtd_process_inv_desc',
      'vtd_process_pasid_desc',
      'vtd_pasid_cache_sync',
      'vtd_accel_pasid_cache_sync',
      'vtd_sm_pasid_table_walk',
      'vtd_sm_pasid_table_walk_one',
      'vtd_accel_fill_pc',
    ]);
    expect(lineForEvent(trace, 13)).toEqual({ fn: QemuFn.vtd_accel_fill_pc, tag: 'insert-head' });
  });
});

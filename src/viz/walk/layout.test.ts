import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildTrace,
  fixtureMemoryAt,
  fixtureScenario,
  fixtureTrace,
  type FixtureEvent,
} from '../trace/traceFixture.ts';
import { buildTraceIndex } from '../trace/traceIndex.ts';
import { layoutWalk, wrapCallout, type WalkViewModel } from './layout.ts';
import { TraceKind } from '../../model/index.ts';

const scenario = fixtureScenario();
const trace = fixtureTrace();
const index = buildTraceIndex(trace);
const memoryAt = fixtureMemoryAt(scenario);
const STEP2 = 17;

function at(cursor: number, width = 1200): WalkViewModel {
  return layoutWalk({ index, cursor, scenario, memoryAt, width });
}

describe('walk layout', () => {
  it('draws the focused device lane with its context entry, directory and leaf tables', () => {
    const vm = at(9);
    expect(vm.lanes.map((l) => [l.key, l.focused])).toEqual([['lane:00:02.0', true]]);
    expect(vm.contexts[0]?.lines.join(' ')).toContain('PDTS 0 → 128 dir entries');
    expect(vm.contexts[0]?.lines.join(' ')).toContain('dir @ 0x3000');
    // Leaf tables of the two present directory entries, keyed by device and index.
    expect(vm.grids.map((g) => g.key)).toEqual(['table:00:02.0:0', 'table:00:02.0:1']);
    expect(vm.slots.filter((s) => s.key.startsWith('pasid:00:02.0:'))).toHaveLength(128);
  });

  it('marks the slot the walk is on and its outcome, never by colour alone', () => {
    const vm = at(9); // PASID 0: DID 1 ≠ 3
    const slot = vm.slots.find((s) => s.key === 'pasid:00:02.0:0x0')!;
    expect(slot).toMatchObject({ state: 'did-mismatch', current: true, glyph: '≠' });
    expect(vm.focus).toBeDefined();
    expect(vm.callouts[0]?.lines[0]).toContain('DID 1 ≠ 3');
    // PASID 0x41 is not checked yet, but present in memory.
    expect(vm.slots.find((s) => s.key === 'pasid:00:02.0:0x41')?.state).toBe('in-memory');
  });

  it('flies a created entry from its leaf slot into the list head', () => {
    const vm = at(13);
    const row = vm.cacheRows.find((r) => r.key === 'cache:00:02.0:0x41')!;
    const slot = vm.slots.find((s) => s.key === 'pasid:00:02.0:0x41')!;
    expect(row.state).toBe('created');
    expect(row.enterFrom).toEqual({ x: slot.x, y: slot.y });
    expect(row.text).toContain('DID 3');
    expect(slot.state).toBe('created');
  });

  it('keeps list order head first and shows an update with its changed field', () => {
    const vm = at(STEP2 + 13);
    expect(vm.cacheRows.map((r) => r.key)).toEqual(['cache:00:02.0:0x0', 'cache:00:02.0:0x41']);
    expect(vm.cacheRows[1]?.state).toBe('updated');
    expect(vm.callouts[0]?.lines[0]).toMatch(/FSPTPTR 0x6000 → 0x7000/);
  });

  it('aggregates a long directory into runs and marks the current one', () => {
    const vm = at(15); // directory entries 2..127 not present
    const bins = vm.dirCells.filter((c) => c.key.startsWith('dirbin:'));
    expect(bins.length).toBeGreaterThan(0);
    const cur = bins.filter((c) => c.current);
    expect(cur.map((c) => [c.from, c.to, c.state])).toEqual([[2, 128, 'dir-not-present']]);
    // Before the walk reaches them, the same entries show memory (empty).
    const before = at(8).dirCells.find((c) => c.from <= 50 && c.to > 50)!;
    expect(before.state).toBe('unvisited');
  });

  it('draws single directory cells when they fit, keyed by index', () => {
    const vm = layoutWalk({
      index,
      cursor: 9,
      scenario,
      memoryAt,
      width: 1200,
      dirWindows: { '00:02.0': { from: 0, to: 16 } },
    });
    expect(vm.dirCells.map((c) => c.key).slice(0, 3)).toEqual([
      'dir:00:02.0:0',
      'dir:00:02.0:1',
      'dir:00:02.0:2',
    ]);
    expect(vm.dirCells[0]?.state).toBe('dir-present');
    expect(vm.dirCells[1]?.state).toBe('in-memory');
  });

  it('shows the range bar once the device has clamped the range', () => {
    expect(at(6).rangeBar?.walked).toBeUndefined();
    expect(at(7).rangeBar?.walked).toMatchObject({ start: 0, end: 8192 });
    expect(at(0).rangeBar).toBeUndefined();
    expect(at(0).rangeBarPlaceholder).toBeDefined();
  });

  it('depends only on the trace and the cursor: any path to N gives the same picture', () => {
    const fresh = Array.from({ length: trace.length }, (_, c) => JSON.stringify(at(c)));
    fc.assert(
      fc.property(fc.array(fc.nat(trace.length - 1), { minLength: 1, maxLength: 12 }), (path) => {
        let last = '';
        for (const c of path) last = JSON.stringify(at(c));
        expect(last).toBe(fresh[path.at(-1)!]);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps a 2^20-PASID walk to a few hundred items', () => {
    const big = buildTrace(
      [
        [
          { kind: TraceKind.SyncBegin, fn: 5, a: 3 },
          { kind: TraceKind.RangeInit, fn: 12, a: 1, b: 1 << 20, c: 20 },
          { kind: TraceKind.AccelDeviceBegin, fn: 12, device: 0 },
          { kind: TraceKind.RangeClamp, fn: 12, device: 0, a: 20, b: 7, c: 1 << 20 },
          { kind: TraceKind.DirChecked, fn: 15, device: 0, pasid: 0, a: 3, b: 64 },
          ...Array.from({ length: 64 }, (_, p): FixtureEvent => ({
            kind: TraceKind.LeafChecked,
            fn: 17,
            device: 0,
            pasid: p,
            a: 5,
            c: p,
          })),
          {
            kind: TraceKind.DirChecked,
            fn: 15,
            device: 0,
            pasid: 64,
            count: 16383,
            a: 2,
            b: 1 << 20,
          },
        ],
      ],
      ['00:02.0'],
    );
    const bigIndex = buildTraceIndex(big);
    const vm = layoutWalk({ index: bigIndex, cursor: big.length - 1, scenario, width: 1200 });
    expect(vm.dirCells.length).toBeLessThan(300);
    const last = vm.dirCells.at(-1)!;
    expect(last.to).toBe(16384);
    expect(last.state).toBe('dir-not-present');
    expect(vm.cacheRows.at(-1)?.text).toMatch(/… \d+ more/);
    expect(vm.cacheRows[0]?.key).toBe('cache:00:02.0:0x3f'); // the last created is the head
  });
});

describe('callout text', () => {
  it('wraps a long outcome onto a second line and cuts what still does not fit', () => {
    const long = 'PASID 0x3ff: cached copy equals memory — nothing to do at all here';
    const w = wrapCallout([long], 200);
    expect(w.lines).toHaveLength(2);
    expect(w.mainLines).toBe(2);
    expect(w.lines.join(' ').replace('…', '')).toContain('PASID 0x3ff: cached copy');
    for (const l of w.lines) expect(l.length).toBeLessThanOrEqual(Math.floor(200 / 8.2));
    const short = wrapCallout(['+ PASID 0x5 created', 'searched 0 entries'], 400);
    expect(short).toEqual({ lines: ['+ PASID 0x5 created', 'searched 0 entries'], mainLines: 1 });
  });
});

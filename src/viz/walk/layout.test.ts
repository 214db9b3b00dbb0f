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
import { layoutWalk, type WalkViewModel } from './layout.ts';
import { MIN_TYPE, type PartKind, type PartModel } from './parts/geometry.ts';
import { TraceKind } from '../../model/index.ts';

const scenario = fixtureScenario();
const trace = fixtureTrace();
const index = buildTraceIndex(trace);
const memoryAt = fixtureMemoryAt(scenario);
const STEP2 = 17;

function at(cursor: number, width = 1000, height = 420): WalkViewModel {
  return layoutWalk({ index, cursor, scenario, memoryAt, width, height });
}
const partOf = (vm: WalkViewModel, kind: PartKind): PartModel => {
  const p = vm.parts.find((q) => q.kind === kind);
  if (!p) throw new Error(`no ${kind} part`);
  return p;
};
const cell = (vm: WalkViewModel, key: string) =>
  vm.parts.flatMap((p) => p.cells).find((c) => c.key === key);
const rows = (vm: WalkViewModel) => partOf(vm, 'accel').rows;
const inside = (inner: { x: number; y: number; w: number; h: number }, outer: typeof inner) =>
  inner.x >= outer.x - 0.01 &&
  inner.y >= outer.y - 0.01 &&
  inner.x + inner.w <= outer.x + outer.w + 0.01 &&
  inner.y + inner.h <= outer.y + outer.h + 0.01;

describe('walk layout', () => {
  it('draws the chain of the active device: root, context, directory, table, entry, caches', () => {
    const vm = at(9);
    expect(vm.parts.map((p) => p.kind)).toEqual([
      'root',
      'context',
      'directory',
      'table',
      'entry',
      'accel',
      'emulated',
      'host',
      'hwpt',
    ]);
    expect(partOf(vm, 'hwpt').name).toMatch(/^Host hwpt 1: nesting parent/);
    expect(partOf(vm, 'context').name).toContain('PDTS 0: 128 entries');
    expect(partOf(vm, 'directory').name).toMatch(/^PASID directory of 00:02.0: 128 entries/);
    expect(partOf(vm, 'table').cells).toHaveLength(64);
    expect(vm.arrows.map((a) => a.key)).toEqual([
      'arrow:root-context',
      'arrow:context-directory',
      'arrow:directory-table',
      'arrow:table-entry',
      'arrow:entry-accel',
      'arrow:entry-emulated',
    ]);
  });

  it('without the callout (presentation mode) the chain takes its room and stays whole', () => {
    const height = 380;
    const withCallout = layoutWalk({ index, cursor: 9, scenario, memoryAt, width: 800, height });
    const without = layoutWalk({
      index,
      cursor: 9,
      scenario,
      memoryAt,
      width: 800,
      height,
      callout: false,
    });
    expect(withCallout.callout).toBeDefined();
    expect(without.callout).toBeUndefined();
    expect(without.parts.map((p) => p.kind)).toEqual(withCallout.parts.map((p) => p.kind));
    // The table row grows into the callout's place.
    expect(partOf(without, 'table').h).toBeGreaterThan(partOf(withCallout, 'table').h);
    expect(Math.max(...without.parts.map((p) => p.y + p.h))).toBeLessThanOrEqual(height);
  });

  it('marks the slot the walk is on and its outcome, never by colour alone', () => {
    const vm = at(9); // PASID 0: DID 1 ≠ 3
    expect(cell(vm, 'pasid:00:02.0:0x0')).toMatchObject({
      state: 'did-mismatch',
      current: true,
      glyph: '≠',
    });
    expect(partOf(vm, 'table').lit).toBe(true);
    expect(partOf(vm, 'entry').name).toMatch(/^PASID entry 0x0: P 1/);
    expect(vm.callout?.texts[0]?.text).toContain('DID 1 ≠ 3');
    // The slots after it are not checked yet: they show what memory holds.
    const later = partOf(vm, 'table')
      .cells.slice(1)
      .map((c) => c.state);
    expect(new Set(later)).toEqual(new Set(['unvisited']));
    expect(cell(at(13), 'pasid:00:02.0:0x41')?.state).toBe('created');
    expect(cell(at(12), 'pasid:00:02.0:0x41')?.state).toBe('in-memory');
  });

  it('moves a created entry from its leaf slot into the list head', () => {
    const vm = at(13);
    const table = partOf(vm, 'table');
    const accel = partOf(vm, 'accel');
    const row = rows(vm).find((r) => r.key === 'cache:00:02.0:0x41')!;
    const slot = cell(vm, 'pasid:00:02.0:0x41')!;
    expect(row.state).toBe('created');
    // enterFrom is relative to the accel part: it is the slot's absolute place.
    expect(row.enterFrom).toEqual({
      x: table.x + slot.x - accel.x,
      y: table.y + slot.y - accel.y,
    });
    expect(row.text).toContain('DID 3');
    expect(accel.lit).toBe(true);
  });

  it('keeps list order head first and shows an update with its changed field', () => {
    const vm = at(STEP2 + 13);
    expect(rows(vm).map((r) => r.key)).toEqual(['cache:00:02.0:0x0', 'cache:00:02.0:0x41']);
    expect(rows(vm)[1]?.state).toBe('updated');
    expect(vm.callout?.texts.map((t) => t.text).join(' ')).toMatch(/FSPTPTR 0x6000 → 0x7000/);
  });

  it('magnifies the directory entry the walk is on, and marks its run on the overview', () => {
    const vm = at(15); // directory entries 2..127 not present
    const lens = partOf(vm, 'directory');
    const magnified = lens.cells.filter((c) => c.key.startsWith('dir:'));
    expect(magnified.some((c) => c.key === 'dir:00:02.0:2' && c.current)).toBe(true);
    // Whole cells with a readable glyph, never a sliver.
    for (const c of magnified) expect(c.w).toBeGreaterThanOrEqual(20);
    const runs = lens.cells.filter((c) => c.key.startsWith('dirbin:') && c.current);
    expect(runs.length).toBeGreaterThan(0);
  });

  it('lights the part each read of the chain touches', () => {
    // Every event with a device lights at most the parts of its own chain, and reads light one.
    for (let e = 0; e < trace.length; e++) {
      const vm = at(e);
      const lit = vm.parts.filter((p) => p.lit).map((p) => p.kind);
      if (trace.kind[e] === TraceKind.DirChecked) expect(lit).toContain('directory');
      if (trace.kind[e] === TraceKind.LeafChecked) expect(lit).toContain('table');
    }
  });

  it('keeps every part inside the drawing and no text under the type floor', () => {
    fc.assert(
      fc.property(
        fc.nat(trace.length - 1),
        fc.integer({ min: 480, max: 1400 }),
        fc.integer({ min: 200, max: 900 }),
        (c, w, h) => {
          const vm = at(c, w, h);
          const box = { x: 0, y: 0, w: vm.width, h: vm.height };
          for (const p of vm.parts) {
            expect(inside(p, box), `${p.kind} at ${String(c)} in ${String(w)}×${String(h)}`).toBe(
              true,
            );
            for (const t of p.texts) expect(t.size).toBeGreaterThanOrEqual(MIN_TYPE);
          }
          for (const t of vm.callout?.texts ?? []) expect(t.size).toBeGreaterThanOrEqual(MIN_TYPE);
          // Parts of a row never overlap.
          const [root, context, dir, table, entry, accel, emulated] = vm.parts;
          for (const [p, q] of [
            [root, context],
            [context, dir],
            [table, entry],
            [entry, accel],
          ] as const) {
            expect((p?.x ?? 0) + (p?.w ?? 0)).toBeLessThanOrEqual(q?.x ?? 0);
          }
          expect((accel?.y ?? 0) + (accel?.h ?? 0)).toBeLessThanOrEqual(emulated?.y ?? 0);
        },
      ),
      { numRuns: 80 },
    );
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

  it('keeps a 2^20-PASID walk to a few hundred items, and counts what the list does not show', () => {
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
    const vm = layoutWalk({ index: bigIndex, cursor: big.length - 1, scenario, width: 1000 });
    const items = vm.parts.flatMap((p) => [...p.cells, ...p.rows]);
    expect(items.length).toBeLessThan(400);
    const accelRows = rows(vm);
    expect(accelRows.at(-1)?.text).toMatch(/^\d+ more/);
    expect(accelRows[0]?.key).toBe('cache:00:02.0:0x3f'); // the last created is the head
  });

  it('a run of N creations (one coalesced event) puts N entries in the list', () => {
    const run = buildTrace(
      [
        [
          { kind: TraceKind.SyncBegin, fn: 5, a: 3 },
          { kind: TraceKind.AccelDeviceBegin, fn: 12, device: 0 },
          { kind: TraceKind.RangeClamp, fn: 12, device: 0, a: 20, b: 0, c: 8192 },
          { kind: TraceKind.DirChecked, fn: 15, device: 0, pasid: 0, a: 3, b: 64 },
          { kind: TraceKind.LeafChecked, fn: 17, device: 0, pasid: 4, count: 3, a: 5 },
        ],
      ],
      ['00:02.0'],
    );
    const vm = layoutWalk({
      index: buildTraceIndex(run),
      cursor: run.length - 1,
      scenario,
      width: 1000,
      height: 600,
    });
    expect(rows(vm).map((r) => r.key)).toEqual([
      'cache:00:02.0:0x6',
      'cache:00:02.0:0x5',
      'cache:00:02.0:0x4',
    ]);
    expect(partOf(vm, 'accel').name).toContain('3 entries');
  });

  it('cuts no fact of a card or a list at the smallest drawing, only a device name', () => {
    for (let e = 0; e < trace.length; e++) {
      const vm = at(e, 500, 330);
      for (const p of vm.parts) {
        for (const t of p.texts) expect(t.text, `${p.kind} at ${e.toString()}`).not.toContain('…');
        for (const r of p.rows)
          expect(r.text, `${p.kind} row at ${e.toString()}`).not.toContain('…');
      }
      for (const t of vm.callout?.texts ?? []) expect(t.text).not.toContain('…');
      for (const lane of vm.lanes) {
        const title = lane.texts.find((t) => t.key.endsWith(':title'))?.text ?? '';
        expect(title).toContain(lane.bdf);
      }
    }
  });
});

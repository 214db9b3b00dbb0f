// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureMemoryAt, fixtureScenario, fixtureTrace } from '../trace/traceFixture.ts';
import { buildTraceIndex } from '../trace/traceIndex.ts';
import { layoutWalk } from './layout.ts';
import { createWalkView, type WalkView } from './render.ts';

const scenario = fixtureScenario();
const trace = fixtureTrace();
const index = buildTraceIndex(trace);
const memoryAt = fixtureMemoryAt(scenario);
const vmAt = (cursor: number) => layoutWalk({ index, cursor, scenario, memoryAt, width: 1200 });

describe('walk view renderer', () => {
  let svg: SVGSVGElement;
  let view: WalkView;
  beforeEach(() => {
    svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    document.body.append(svg);
    view = createWalkView(svg);
  });
  afterEach(() => {
    view.destroy();
    svg.remove();
  });
  const byKey = (key: string): Element | null => svg.querySelector(`[data-key="${key}"]`);

  it('joins every item of the view model by its key', () => {
    const vm = vmAt(13);
    view.update(vm, { duration: 0 });
    expect(svg.querySelectorAll('g.slot')).toHaveLength(vm.slots.length);
    expect(svg.querySelectorAll('g.dir-cell')).toHaveLength(vm.dirCells.length);
    expect(byKey('lane:00:02.0')?.classList.contains('focused')).toBe(true);
    const row = byKey('cache:00:02.0:0x41');
    expect(row?.getAttribute('data-state')).toBe('created');
    expect(row?.textContent).toContain('0x41');
    expect(byKey('pasid:00:02.0:0x41')?.classList.contains('current')).toBe(true);
    expect(svg.querySelector('rect.focus-ring')).not.toBeNull();
    expect(svg.getAttribute('data-cursor')).toBe('13');
  });

  it('labels every state with a glyph, not colour alone', () => {
    view.update(vmAt(9), { duration: 0 });
    const mismatch = byKey('pasid:00:02.0:0x0');
    expect(mismatch?.getAttribute('data-state')).toBe('did-mismatch');
    expect(mismatch?.querySelector('text.glyph')?.textContent).toBe('≠');
    expect(mismatch?.querySelector('title')?.textContent).toContain('DID differs');
  });

  it('steps back exactly: an entry created later is gone again', () => {
    view.update(vmAt(trace.length - 1), { duration: 0 });
    expect(svg.querySelectorAll('g.cache-row')).toHaveLength(2);
    view.update(vmAt(9), { duration: 0 });
    expect(svg.querySelectorAll('g.cache-row')).toHaveLength(0);
    expect(byKey('cache:00:02.0:0x41')).toBeNull();
    view.update(vmAt(13), { duration: 0 });
    expect(svg.querySelectorAll('g.cache-row')).toHaveLength(1);
  });

  it('draws the PASID range bar with the winning limit marked', () => {
    view.update(vmAt(9), { duration: 0 });
    const winner = svg.querySelector('g.range-limit.winner');
    expect(winner?.getAttribute('data-key')).toBe('limit:pdts');
    expect(winner?.textContent).toContain('smallest');
    expect(svg.querySelector('text.range-caption')?.textContent).toContain('[0x0, 0x2000)');
  });

  it('interrupts a running transition and never leaves leaving items behind', () => {
    view.update(vmAt(trace.length - 1), { duration: 400 });
    view.update(vmAt(9), { duration: 400 });
    view.update(vmAt(9), { duration: 0 });
    expect(svg.querySelectorAll('g.cache-row')).toHaveLength(0);
    expect(svg.querySelectorAll('.exiting')).toHaveLength(0);
  });

  it('asks to zoom into an aggregated run of directory entries on click', () => {
    const asked: [string, number, number][] = [];
    view.destroy();
    view = createWalkView(svg, { onZoomDirs: (bdf, from, to) => asked.push([bdf, from, to]) });
    view.update(vmAt(15), { duration: 0 });
    const run = svg.querySelector('g.dir-cell.current');
    run?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(asked).toEqual([['00:02.0', 2, 128]]);
  });
});

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
const vmAt = (cursor: number) =>
  layoutWalk({ index, cursor, scenario, memoryAt, width: 1000, height: 420 });

const NAMES = [
  'Root entry',
  'Context entry',
  'PASID directory',
  'PASID table',
  'PASID entry',
  'Accel PASID cache',
  'Emulated PASID cache',
];

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

  it('leaves an unchanged drawing untouched: no attribute or text is written again', async () => {
    view.update(vmAt(13), { duration: 0 });
    const root = svg.querySelector('g.walk-root')!;
    const seen: MutationRecord[] = [];
    const observer = new MutationObserver((records) => seen.push(...records));
    observer.observe(root, {
      subtree: true,
      attributes: true,
      childList: true,
      characterData: true,
    });
    view.update(vmAt(13), { duration: 0 });
    await Promise.resolve(); // records are delivered in a microtask
    observer.disconnect();
    expect(seen.map((r) => `${r.type} ${r.attributeName ?? ''}`)).toEqual([]);
    // ...while a different event does change it.
    const next = new MutationObserver(() => undefined);
    next.observe(root, { subtree: true, attributes: true, childList: true, characterData: true });
    view.update(vmAt(9), { duration: 0 });
    expect(next.takeRecords().length).toBeGreaterThan(0);
    next.disconnect();
  });

  it('draws each part of the chain as a named group', () => {
    view.update(vmAt(13), { duration: 0 });
    const groups = [...svg.querySelectorAll('g[role="group"]')].map(
      (g) => g.getAttribute('aria-label') ?? '',
    );
    for (const name of NAMES)
      expect(
        groups.some((g) => g.startsWith(name)),
        name,
      ).toBe(true);
  });

  it('joins every item of the view model by its key', () => {
    const vm = vmAt(13);
    view.update(vm, { duration: 0 });
    const cells = vm.parts.flatMap((p) => p.cells);
    expect(svg.querySelectorAll('g.cell')).toHaveLength(cells.length);
    const row = byKey('cache:00:02.0:0x41');
    expect(row?.getAttribute('data-state')).toBe('created');
    expect(row?.textContent).toContain('0x41');
    expect(byKey('pasid:00:02.0:0x41')?.classList.contains('current')).toBe(true);
    expect(byKey('part:accel')?.classList.contains('lit')).toBe(true);
    expect(svg.getAttribute('data-cursor')).toBe('13');
    // Type sizes come from the layout, so the rendered size is the layout's.
    for (const t of svg.querySelectorAll('text[font-size]')) {
      expect(Number(t.getAttribute('font-size'))).toBeGreaterThanOrEqual(12);
    }
  });

  it('labels every state with a glyph, not colour alone', () => {
    view.update(vmAt(9), { duration: 0 });
    const mismatch = byKey('pasid:00:02.0:0x0');
    expect(mismatch?.getAttribute('data-state')).toBe('did-mismatch');
    expect(mismatch?.querySelector('text')?.textContent).toBe('≠');
    expect(mismatch?.querySelector('title')?.textContent).toContain('DID differs');
  });

  it('steps back exactly: an entry created later is gone again', () => {
    view.update(vmAt(trace.length - 1), { duration: 0 });
    expect(svg.querySelectorAll('g.cache-row[data-key^="cache:"]')).toHaveLength(2);
    view.update(vmAt(9), { duration: 0 });
    expect(svg.querySelectorAll('g.cache-row[data-key^="cache:"]')).toHaveLength(0);
    expect(byKey('cache:00:02.0:0x41')).toBeNull();
    view.update(vmAt(13), { duration: 0 });
    expect(svg.querySelectorAll('g.cache-row[data-key^="cache:"]')).toHaveLength(1);
  });

  it('draws the pointers as arrows, the lit one marked', () => {
    view.update(vmAt(13), { duration: 0 });
    expect(svg.querySelectorAll('g.arrow')).toHaveLength(6);
    expect(byKey('arrow:entry-accel')?.classList.contains('lit')).toBe(true);
    expect(byKey('arrow:root-context')?.classList.contains('lit')).toBe(false);
  });

  it('interrupts a running transition and never leaves leaving items behind', () => {
    view.update(vmAt(trace.length - 1), { duration: 400 });
    view.update(vmAt(9), { duration: 400 });
    view.update(vmAt(9), { duration: 0 });
    expect(svg.querySelectorAll('g.cache-row[data-key^="cache:"]')).toHaveLength(0);
    expect(svg.querySelectorAll('.exiting')).toHaveLength(0);
  });

  it('destroy removes everything it drew', () => {
    view.update(vmAt(13), { duration: 0 });
    view.destroy();
    expect(svg.childNodes).toHaveLength(0);
    view = createWalkView(svg);
  });
});

// The walk view's renderer: D3 owns every child of the view's root <g>. `update` joins the view model
// (layout.ts) by key — enter from a neutral state, update in place, exit by fading out — with one
// shared transition whose duration the host passes in (0 for reduced motion, tests and fast
// playback). Each update first interrupts whatever is still moving and drops what was leaving, so
// rapid stepping never leaves a half-finished picture: the target state is always the layout's.
//
// Each part of the chain is one <g role="group"> named for assistive technology and for tests; its
// texts, cells and rows are keyed joins inside it.

import {
  easeCubicOut,
  select,
  transition,
  zoom,
  zoomIdentity,
  type BaseType,
  type Selection,
  type Transition,
  type ZoomBehavior,
} from 'd3';
import type { LaneModel, WalkViewModel } from './layout.ts';
import type { ArrowModel } from './parts/arrows.ts';
import type { CalloutModel } from './parts/callout.ts';
import type { CellItem, LineItem, PartModel, RowItem, TextItem } from './parts/geometry.ts';

export interface WalkViewCallbacks {
  /** A click (or Enter) on a collapsed device line. */
  readonly onSelectDevice?: (bdf: string) => void;
  /** Registers a running animation (for the idle hook); returns its `done`. */
  readonly beginAnimation?: () => () => void;
}

export interface Motion {
  /** Transition length in ms; 0 = jump. */
  readonly duration: number;
}

export interface WalkView {
  update(vm: WalkViewModel, motion: Motion): void;
  resetZoom(): void;
  destroy(): void;
}

type AnySel<E extends BaseType, D> = Selection<E, D, BaseType, unknown>;
type AnyTransition = Transition<BaseType, unknown, null, undefined>;

const NS = 'walk';
let viewIds = 0;

/** What each cell element last showed, so that an update rewrites only the cells that changed. */
const signatures = new WeakMap<Element, string>();

/** Sets attributes now, or through the shared transition when they change. */
function put<E extends BaseType, D>(
  sel: AnySel<E, D>,
  t: AnyTransition | undefined,
  attrs: Readonly<Record<string, (d: D) => string | number>>,
): void {
  if (!t) {
    setAttrs(sel, attrs);
    return;
  }
  const entries = Object.entries(attrs);
  const moving = sel.filter(function (this: E, d: D) {
    const el = this as unknown as Element;
    return entries.some(([name, f]) => el.getAttribute(name) !== String(f(d)));
  });
  if (moving.empty()) return;
  const tr = moving.transition(t as unknown as Transition<BaseType, D, null, undefined>);
  for (const [name, f] of entries) tr.attr(name, f);
}

/**
 * Sets the attributes whose value differs from what the element has (null removes one). Most of a
 * drawing is the same from one event to the next, and every write (changed or not) is a mutation
 * the browser answers with style, layout and paint work: a playback wrote ~900 attributes and
 * replaced ~40 text nodes per event before this.
 */
function setAttrs<E extends BaseType, D>(
  sel: AnySel<E, D>,
  attrs: Readonly<Record<string, (d: D) => string | number | null>>,
): void {
  const entries = Object.entries(attrs);
  sel.each(function (this: E, d: D) {
    const el = this as unknown as Element;
    for (const [name, f] of entries) {
      const v = f(d);
      const now = el.getAttribute(name);
      if (v === null) {
        if (now !== null) el.removeAttribute(name);
      } else if (now !== String(v)) {
        el.setAttribute(name, String(v));
      }
    }
  });
}

/** Sets an element's text only when it differs (a new text node each time otherwise). */
function setText<E extends BaseType, D>(sel: AnySel<E, D>, f: (d: D) => string): void {
  sel.each(function (this: E, d: D) {
    const el = this as unknown as Element;
    const v = f(d);
    if (el.textContent !== v) el.textContent = v;
  });
}

function exitFade<E extends BaseType, D>(sel: AnySel<E, D>, t: AnyTransition | undefined): void {
  if (!t) {
    sel.remove();
    return;
  }
  sel
    .classed('exiting', true)
    .attr('pointer-events', 'none')
    .transition(t as unknown as Transition<BaseType, D, null, undefined>)
    .attr('opacity', 0)
    .remove();
}

const translate = (b: { x: number; y: number }): string =>
  `translate(${b.x.toFixed(2)},${b.y.toFixed(2)})`;

function textsJoin(parent: AnySel<SVGGElement, unknown>, texts: readonly TextItem[]): void {
  parent
    .selectAll<SVGTextElement, TextItem>(':scope > text')
    .data(texts, (d) => d.key)
    .join('text')
    .call((texts) => {
      setAttrs(texts, {
        class: (d) => `t-${d.role}`,
        x: (d) => d.x,
        y: (d) => d.y,
        'font-size': (d) => d.size,
        'text-anchor': (d) => d.anchor,
      });
      setText(texts, (d) => d.text);
    });
}

function cellsJoin(parent: AnySel<SVGGElement, PartModel>, t: AnyTransition | undefined): void {
  const cells = parent
    .selectAll<SVGGElement, CellItem>(':scope > g.cell')
    .data(
      (p) => [...p.cells],
      (d) => d.key,
    )
    .join(
      (enter) => {
        const e = enter.append('g').attr('class', 'cell').attr('transform', translate);
        e.append('rect').attr('rx', 2);
        e.append('text').attr('class', 't-glyph').attr('text-anchor', 'middle');
        e.append('title');
        return e;
      },
      (update) => update,
      (exit) => exitFade(exit, t),
    );
  put(cells, t, { transform: translate });
  // Most cells keep their state from one event to the next: touch only those that changed.
  const changed = cells.filter(function (this: SVGGElement, d: CellItem) {
    const sig = `${d.state}|${String(d.current)}|${String(d.w)}|${String(d.h)}|${d.glyph}|${String(d.glyphSize)}|${d.title}`;
    if (signatures.get(this) === sig) return false;
    signatures.set(this, sig);
    return true;
  });
  changed
    .attr('data-key', (d) => d.key)
    .attr('data-state', (d) => d.state)
    .attr('class', (d) => `cell state-${d.state}${d.current ? ' current' : ''}`);
  changed
    .select('rect')
    .attr('width', (d) => d.w)
    .attr('height', (d) => d.h);
  changed
    .select('text')
    .attr('x', (d) => d.w / 2)
    .attr('y', (d) => d.h / 2 + d.glyphSize * 0.36)
    .attr('font-size', (d) => d.glyphSize || null)
    .attr('display', (d) => (d.glyphSize > 0 && d.glyph ? null : 'none'))
    .text((d) => d.glyph);
  changed.select('title').text((d) => d.title);
}

function rowsJoin(parent: AnySel<SVGGElement, PartModel>, t: AnyTransition | undefined): void {
  const rows = parent
    .selectAll<SVGGElement, RowItem>(':scope > g.cache-row')
    .data(
      (p) => [...p.rows],
      (d) => d.key,
    )
    .join(
      (enter) => {
        // A created entry starts at its leaf slot and moves into the list head.
        const e = enter
          .append('g')
          .attr('transform', (d) => translate(d.enterFrom ?? { x: d.x + 24, y: d.y }))
          .attr('opacity', (d) => (d.enterFrom || !t ? 1 : 0));
        e.append('rect').attr('rx', 3);
        e.append('text')
          .attr('class', 't-glyph row-glyph')
          .attr('x', 10)
          .attr('text-anchor', 'middle');
        e.append('text').attr('class', 't-body row-text').attr('x', 24);
        e.append('title');
        return e;
      },
      (update) => update,
      (exit) => exitFade(exit, t),
    );
  setAttrs(rows, {
    'data-key': (d) => d.key,
    'data-state': (d) => d.state,
    class: (d) => `cache-row state-${d.state}`,
  });
  put(rows, t, { transform: translate, opacity: () => 1 });
  setAttrs(rows.select('rect'), { width: (d) => d.w, height: (d) => d.h });
  const glyphs = rows.select('text.row-glyph');
  setAttrs(glyphs, { y: (d) => d.h / 2 + 4.5, 'font-size': () => 12 });
  setText(glyphs, (d) => d.glyph);
  const texts = rows.select('text.row-text');
  setAttrs(texts, { y: (d) => d.h / 2 + 4.5, 'font-size': () => 12 });
  setText(texts, (d) => d.text);
  setText(rows.select('title'), (d) => d.title);
}

function linesJoin(parent: AnySel<SVGGElement, PartModel>): void {
  parent
    .selectAll<SVGLineElement, LineItem>(':scope > line')
    .data(
      (p) => [...p.lines],
      (d) => d.key,
    )
    .join('line')
    .call((lines) =>
      setAttrs(lines, {
        class: () => 'lens-line',
        x1: (d) => d.x1,
        y1: (d) => d.y1,
        x2: (d) => d.x2,
        y2: (d) => d.y2,
      }),
    );
}

export function createWalkView(svg: SVGSVGElement, callbacks: WalkViewCallbacks = {}): WalkView {
  const svgSel = select(svg);
  const markerId = `${NS}-arrowhead-${String((viewIds += 1))}`;
  const defs = svgSel.append('defs');
  defs
    .append('marker')
    .attr('id', markerId)
    .attr('viewBox', '0 0 10 10')
    .attr('refX', 9)
    .attr('refY', 5)
    .attr('markerWidth', 7)
    .attr('markerHeight', 7)
    .attr('orient', 'auto-start-reverse')
    .append('path')
    .attr('class', 'arrowhead')
    .attr('d', 'M0,0L10,5L0,10Z');
  const root = svgSel.append('g').attr('class', `${NS}-root`);
  const layer = (name: string): AnySel<SVGGElement, unknown> =>
    root.append('g').attr('class', `${NS}-layer ${NS}-${name}`);
  const layers = {
    lanes: layer('lanes'),
    arrows: layer('arrows'),
    parts: layer('parts'),
    callout: layer('callout'),
  };
  let destroyed = false;

  // Pan by dragging; zoom with Ctrl/⌘ + wheel (a bare wheel scrolls the page as usual) or a pinch.
  const zoomer: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
    .scaleExtent([0.5, 6])
    .filter((ev: Event) => {
      if (ev.type === 'wheel') return (ev as WheelEvent).ctrlKey || (ev as WheelEvent).metaKey;
      if (ev.type === 'dblclick') return false;
      return !(ev as MouseEvent).button;
    })
    .on('zoom', (ev: { transform: { toString(): string } }) => {
      root.attr('transform', ev.transform.toString());
    });
  svgSel.call(zoomer);

  function lanesJoin(vm: WalkViewModel, t: AnyTransition | undefined): void {
    const lanes = layers.lanes
      .selectAll<SVGGElement, LaneModel>(':scope > g.lane')
      .data(vm.lanes, (d) => d.key)
      .join(
        (enter) => {
          const e = enter.append('g').attr('transform', translate);
          e.append('rect').attr('class', 'lane-bg').attr('rx', 6);
          e.on('click', (_ev: MouseEvent, d: LaneModel) => {
            if (!d.active) callbacks.onSelectDevice?.(d.bdf);
          });
          e.on('keydown', (ev: KeyboardEvent, d: LaneModel) => {
            if (!d.active && (ev.key === 'Enter' || ev.key === ' ')) {
              ev.preventDefault();
              ev.stopPropagation();
              callbacks.onSelectDevice?.(d.bdf);
            }
          });
          return e;
        },
        (update) => update,
        (exit) => exitFade(exit, t),
      );
    setAttrs(lanes, {
      'data-key': (d) => d.key,
      class: (d) => `lane${d.active ? ' active' : ' collapsed'}`,
      role: (d) => (d.active ? null : 'button'),
      tabindex: (d) => (d.active ? null : 0),
      'aria-label': (d) => (d.active ? null : d.name),
    });
    put(lanes, t, { transform: translate });
    put(lanes.select<SVGRectElement>('rect.lane-bg'), t, {
      width: (d) => d.w,
      height: (d) => d.h,
    });
    lanes.each(function (this: SVGGElement, d: LaneModel) {
      textsJoin(select(this), d.texts);
    });
  }

  function partsJoin(vm: WalkViewModel, t: AnyTransition | undefined): void {
    const parts = layers.parts
      .selectAll<SVGGElement, PartModel>(':scope > g.part')
      .data(vm.parts, (d) => d.key)
      .join(
        (enter) => {
          const e = enter.append('g').attr('transform', translate).attr('role', 'group');
          e.append('rect').attr('class', 'part-bg').attr('rx', 5);
          return e;
        },
        (update) => update,
        (exit) => exitFade(exit, t),
      );
    setAttrs(parts, {
      'data-key': (d) => d.key,
      class: (d) => `part kind-${d.kind} tone-${d.tone}${d.lit ? ' lit' : ''}`,
      'aria-label': (d) => d.name,
    });
    put(parts, t, { transform: translate });
    // Directory and table grids get a margin around their cells.
    const pad = (d: PartModel): boolean => d.kind === 'directory' || d.kind === 'table';
    setAttrs(parts.select('rect.part-bg'), {
      x: (d) => (pad(d) ? -5 : 0),
      y: (d) => (pad(d) ? -3 : 0),
      width: (d) => d.w + (pad(d) ? 10 : 0),
      height: (d) => d.h + (pad(d) ? 6 : 0),
    });
    parts.each(function (this: SVGGElement, d: PartModel) {
      textsJoin(select(this), d.texts);
    });
    linesJoin(parts);
    cellsJoin(parts, t);
    rowsJoin(parts, t);
  }

  function arrowsJoin(vm: WalkViewModel): void {
    const arrows = layers.arrows
      .selectAll<SVGGElement, ArrowModel>(':scope > g.arrow')
      .data(vm.arrows, (d) => d.key)
      .join((enter) => {
        const e = enter.append('g').attr('aria-hidden', 'true');
        e.append('path').attr('marker-end', `url(#${markerId})`);
        e.append('text').attr('class', 't-note arrow-label').attr('font-size', 12);
        e.append('title');
        return e;
      });
    setAttrs(arrows, {
      'data-key': (d) => d.key,
      class: (d) => `arrow${d.lit ? ' lit' : ''}`,
    });
    setAttrs(arrows.select('path'), {
      d: (d) =>
        d.points
          .map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
          .join(''),
    });
    const labels = arrows.select('text');
    setAttrs(labels, {
      x: (d) => d.label?.x ?? 0,
      y: (d) => d.label?.y ?? 0,
      display: (d) => (d.label ? null : 'none'),
    });
    setText(labels, (d) => d.label?.text ?? '');
    setText(arrows.select('title'), (d) => d.title);
  }

  function calloutJoin(vm: WalkViewModel): void {
    const c = layers.callout
      .selectAll<SVGGElement, CalloutModel>(':scope > g.callout')
      .data(vm.callout ? [vm.callout] : [], (d) => d.key)
      .join((enter) => {
        const e = enter.append('g').attr('role', 'status');
        e.append('rect').attr('rx', 5);
        return e;
      });
    setAttrs(c, {
      class: (d) => `callout state-${d.state}`,
      transform: translate,
      'aria-label': (d) => d.texts.map((x) => x.text).join(' '),
    });
    setAttrs(c.select('rect'), { width: (d) => d.w, height: (d) => d.h });
    c.each(function (this: SVGGElement, d: CalloutModel) {
      textsJoin(select(this), d.texts);
    });
  }

  return {
    update(vm, motion) {
      if (destroyed) return;
      // Finish nothing half-way: stop what moves, drop what was leaving.
      root.selectAll('*').interrupt();
      root.selectAll('.exiting').remove();
      svgSel.attr('data-cursor', vm.cursor).attr('data-event-count', vm.eventCount);
      const t =
        motion.duration > 0 ? transition().duration(motion.duration).ease(easeCubicOut) : undefined;
      lanesJoin(vm, t);
      arrowsJoin(vm);
      partsJoin(vm, t);
      calloutJoin(vm);
      if (t && callbacks.beginAnimation) {
        const done = callbacks.beginAnimation();
        let ended = false;
        const finish = (): void => {
          if (!ended) {
            ended = true;
            done();
          }
        };
        // end() rejects when interrupted by the next update: the animation is over either way.
        t.end().then(finish, finish);
        // A transition with no element to move never ends: release it after its duration.
        setTimeout(finish, motion.duration + 50);
      }
    },
    resetZoom() {
      svgSel.call((s) => {
        zoomer.transform(s, zoomIdentity);
      });
    },
    destroy() {
      destroyed = true;
      root.selectAll('*').interrupt();
      svgSel.on('.zoom', null);
      root.remove();
      defs.remove();
    },
  };
}

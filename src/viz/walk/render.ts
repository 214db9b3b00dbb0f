// The walk view's renderer: D3 owns every child of the view's root <g>. `update` joins the view model
// (layout.ts) by key — enter from a neutral state, update in place, exit by fading out — with one
// shared transition whose duration the host passes in (0 for reduced motion, tests and fast
// playback). Each update first interrupts whatever is still moving and drops what was leaving, so
// rapid stepping never leaves a half-finished picture: the target state is always the layout's.

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
import type {
  Box,
  CacheRowModel,
  CalloutModel,
  CellModel,
  ContextBoxModel,
  DirCellModel,
  GridModel,
  LaneModel,
  TextModel,
  WalkViewModel,
} from './layout.ts';
import type { RangeBarModel, RangeLimit } from './rangeBar.ts';

export interface WalkViewCallbacks {
  /** A click on an aggregated run of directory entries: zoom the strip into [from, to). */
  readonly onZoomDirs?: (bdf: string, from: number, to: number) => void;
  /** A click on a collapsed lane. */
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

type Sel<E extends BaseType, D> = Selection<E, D, SVGGElement, unknown>;
type AnyTransition = Transition<BaseType, unknown, null, undefined>;

const NS = 'walk';

/** What each cell element last showed, so that an update rewrites only the cells that changed. */
const signatures = new WeakMap<Element, string>();

/** Sets attributes now, or through the shared transition when there is one. */
function put<E extends BaseType, D>(
  sel: Selection<E, D, BaseType, unknown>,
  t: AnyTransition | undefined,
  attrs: Readonly<Record<string, (d: D) => string | number>>,
): void {
  if (t) {
    // Only what moves gets a transition: most cells keep their place and change only their class.
    const entries = Object.entries(attrs);
    const moving = sel.filter(function (this: E, d: D) {
      const el = this as unknown as Element;
      return entries.some(([name, f]) => el.getAttribute(name) !== String(f(d)));
    });
    if (moving.empty()) return;
    const tr = moving.transition(t as unknown as Transition<BaseType, D, null, undefined>);
    for (const [name, f] of entries) tr.attr(name, f);
  } else {
    for (const [name, f] of Object.entries(attrs)) sel.attr(name, f);
  }
}

function exitFade<E extends BaseType, D>(
  sel: Selection<E, D, SVGGElement, unknown>,
  t: AnyTransition | undefined,
): void {
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

function layer(root: Selection<SVGGElement, unknown, null, undefined>, name: string): SVGGElement {
  return root.append('g').attr('class', `${NS}-layer ${NS}-${name}`).node() as SVGGElement;
}

export function createWalkView(svg: SVGSVGElement, callbacks: WalkViewCallbacks = {}): WalkView {
  const svgSel = select(svg);
  const root = svgSel.append('g').attr('class', `${NS}-root`);
  const layers = {
    lanes: layer(root, 'lanes'),
    range: layer(root, 'range'),
    contexts: layer(root, 'contexts'),
    dirs: layer(root, 'dirs'),
    grids: layer(root, 'grids'),
    slots: layer(root, 'slots'),
    chips: layer(root, 'chips'),
    cache: layer(root, 'cache'),
    labels: layer(root, 'labels'),
    callouts: layer(root, 'callouts'),
    focus: layer(root, 'focus'),
  };
  let destroyed = false;

  // Pan by dragging; zoom with Ctrl/⌘ + wheel (a bare wheel scrolls the page as usual) or a pinch.
  const zoomer: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
    .scaleExtent([0.4, 6])
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
    const g = select(layers.lanes) as unknown as Sel<SVGGElement, unknown>;
    g.selectAll<SVGGElement, LaneModel>('g.lane')
      .data(vm.lanes, (d) => d.key)
      .join(
        (enter) => {
          const e = enter
            .append('g')
            .attr('class', 'lane')
            .attr('transform', translate)
            .attr('opacity', 0);
          e.append('rect').attr('class', 'lane-bg').attr('rx', 6);
          e.append('text').attr('class', 'lane-title').attr('x', 10).attr('y', 15);
          e.append('text').attr('class', 'lane-summary').attr('y', 15).attr('text-anchor', 'end');
          e.on('click', (_ev: MouseEvent, d: LaneModel) => {
            if (!d.focused) callbacks.onSelectDevice?.(d.bdf);
          });
          return e;
        },
        (update) => update,
        (exit) => {
          exitFade(exit, t);
          return exit;
        },
      )
      .attr('data-key', (d) => d.key)
      .classed('focused', (d) => d.focused)
      .call((s) => {
        put(s, t, { transform: translate, opacity: () => 1 });
        put(s.select<SVGRectElement>('rect.lane-bg'), t, {
          width: (d) => d.w,
          height: (d) => d.h,
        });
        s.select('text.lane-title').text((d) => d.title);
        put(s.select<SVGTextElement>('text.lane-summary'), t, { x: (d) => d.w - 10 });
        s.select('text.lane-summary').text((d) => d.summary);
      });
  }

  function rangeJoin(vm: WalkViewModel, t: AnyTransition | undefined): void {
    const g = select(layers.range) as unknown as Sel<SVGGElement, unknown>;
    const data = vm.rangeBar ? [vm.rangeBar] : [];
    const bar = g
      .selectAll<SVGGElement, RangeBarModel>('g.range-bar')
      .data(data, () => 'range')
      .join((enter) => {
        const e = enter.append('g').attr('class', 'range-bar');
        e.append('rect').attr('class', 'range-track');
        e.append('rect').attr('class', 'range-walked');
        e.append('g').attr('class', 'range-ticks');
        e.append('g').attr('class', 'range-limits');
        e.append('text').attr('class', 'range-caption');
        return e;
      });
    bar
      .select('rect.range-track')
      .attr('x', (d) => d.x)
      .attr('y', (d) => d.barY)
      .attr('width', (d) => d.width)
      .attr('height', (d) => d.barHeight)
      .attr('rx', 3);
    const walked = bar.select<SVGRectElement>('rect.range-walked');
    walked.attr('display', (d) => (d.walked ? null : 'none'));
    put(walked, t, {
      x: (d) => d.walked?.x0 ?? d.x,
      y: (d) => d.barY,
      width: (d) => Math.max(0, (d.walked?.x1 ?? d.x) - (d.walked?.x0 ?? d.x)),
      height: (d) => d.barHeight,
    });
    bar
      .select<SVGGElement>('g.range-ticks')
      .selectAll<SVGTextElement, RangeBarModel['ticks'][number]>('text')
      .data(
        (d) => d.ticks.map((tk) => ({ ...tk, y: d.barY - 3 })),
        (d) => d.key,
      )
      .join('text')
      .attr('class', 'range-tick')
      .attr('x', (d) => d.x)
      .attr('y', (d) => (d as { y: number }).y)
      .attr('text-anchor', 'middle')
      .text((d) => d.label);
    const limits = bar
      .select<SVGGElement>('g.range-limits')
      .selectAll<SVGGElement, RangeLimit & { barY: number; barH: number }>('g.range-limit')
      .data(
        (d) => d.limits.map((l) => ({ ...l, barY: d.barY, barH: d.barHeight })),
        (d) => d.key,
      )
      .join(
        (enter) => {
          const e = enter.append('g').attr('class', 'range-limit').attr('opacity', 0);
          e.append('line');
          e.append('path').attr('class', 'range-marker');
          e.append('text');
          e.append('title');
          return e;
        },
        (update) => update,
        (exit) => {
          exitFade(exit, t);
          return exit;
        },
      )
      .attr('data-key', (d) => d.key)
      .attr(
        'class',
        (d) =>
          `range-limit kind-${d.kind}${d.winner ? ' winner' : ''}${d.applies ? '' : ' not-applied'}`,
      );
    put(limits, t, { transform: (d) => `translate(${d.x.toFixed(2)},0)`, opacity: () => 1 });
    limits
      .select('line')
      .attr('y1', (d) => d.barY - 2)
      .attr('y2', (d) => d.barY + d.barH + 6 + d.row * 13);
    limits.select('path.range-marker').attr('d', (d) => {
      const y = d.barY + d.barH / 2;
      return d.winner ? `M0,${y - 6}L6,${y}L0,${y + 6}L-6,${y}Z` : `M-3,${y - 3}h6v6h-6Z`;
    });
    limits
      .select('text')
      .attr('x', (d) => (d.anchor === 'end' ? -4 : 4))
      .attr('text-anchor', (d) => d.anchor)
      .attr('y', (d) => d.barY + d.barH + 14 + d.row * 13)
      .text((d) => `${d.label}${d.winner ? ' ◆ smallest' : d.applies ? '' : ' (not applied)'}`);
    limits.select('title').text((d) => d.detail);
    bar
      .select('text.range-caption')
      .attr('x', (d) => d.x)
      .attr('y', (d) => d.y + 11)
      .text((d) => d.caption);

    // Placeholder when there is no walk at this step.
    g.selectAll<SVGTextElement, TextModel>('text.range-placeholder')
      .data(vm.rangeBarPlaceholder ? [vm.rangeBarPlaceholder] : [], (d) => d.key)
      .join('text')
      .attr('class', 'range-placeholder')
      .attr('x', (d) => d.x)
      .attr('y', (d) => d.y)
      .text((d) => d.text);
  }

  function contextsJoin(vm: WalkViewModel, t: AnyTransition | undefined): void {
    const g = select(layers.contexts) as unknown as Sel<SVGGElement, unknown>;
    const boxes = g
      .selectAll<SVGGElement, ContextBoxModel>('g.context')
      .data(vm.contexts, (d) => d.key)
      .join(
        (enter) => {
          const e = enter
            .append('g')
            .attr('class', 'context')
            .attr('transform', translate)
            .attr('opacity', 0);
          e.append('rect').attr('rx', 4);
          e.append('text').attr('class', 'context-title').attr('x', 8).attr('y', 14);
          e.append('text').attr('class', 'context-lines').attr('x', 8);
          e.append('title');
          return e;
        },
        (update) => update,
        (exit) => {
          exitFade(exit, t);
          return exit;
        },
      )
      .attr('data-key', (d) => d.key)
      .attr('class', (d) => `context state-${d.state}`);
    put(boxes, t, { transform: translate, opacity: () => 1 });
    boxes
      .select('rect')
      .attr('width', (d) => d.w)
      .attr('height', (d) => d.h);
    boxes.select('text.context-title').text('Context entry');
    boxes
      .select('text.context-lines')
      .selectAll<SVGTSpanElement, string>('tspan')
      .data((d) => [...d.lines])
      .join('tspan')
      .attr('x', 8)
      .attr('dy', (_d, i) => (i === 0 ? 30 : 14))
      .text((d) => d);
    boxes.select('title').text((d) => d.title);
  }

  function cellsJoin<D extends CellModel>(
    parent: SVGGElement,
    cls: string,
    data: readonly D[],
    t: AnyTransition | undefined,
    onClick?: (d: D) => void,
  ): Sel<SVGGElement, D> {
    const g = select(parent) as unknown as Sel<SVGGElement, unknown>;
    const cells = g
      .selectAll<SVGGElement, D>(`g.${cls}`)
      .data(data, (d) => d.key)
      .join(
        (enter) => {
          const e = enter.append('g').attr('transform', translate).attr('opacity', 0);
          e.append('rect').attr('rx', 2);
          e.append('text').attr('class', 'glyph').attr('text-anchor', 'middle');
          e.append('title');
          if (onClick) e.on('click', (_ev: MouseEvent, d: D) => onClick(d));
          return e;
        },
        (update) => update,
        (exit) => {
          exitFade(exit, t);
          return exit;
        },
      );
    put(cells, t, { transform: translate, opacity: () => 1 });
    // Most cells keep their state from one event to the next: touch only those that changed.
    const changed = cells.filter(function (this: SVGGElement, d: D) {
      const sig = `${d.state}|${String(d.current)}|${String(d.w)}|${String(d.h)}|${d.glyph}|${d.title}`;
      if (signatures.get(this) === sig) return false;
      signatures.set(this, sig);
      return true;
    });
    changed
      .attr('data-key', (d) => d.key)
      .attr('data-state', (d) => d.state)
      .attr('class', (d) => `${cls} cell state-${d.state}${d.current ? ' current' : ''}`);
    put(changed.select<SVGRectElement>('rect'), t, { width: (d) => d.w, height: (d) => d.h });
    changed
      .select('text.glyph')
      .attr('x', (d) => d.w / 2)
      .attr('y', (d) => d.h / 2 + (d.h >= 16 ? 4 : 3))
      .text((d) => d.glyph);
    changed.select('title').text((d) => d.title);
    return cells;
  }

  function gridsJoin(vm: WalkViewModel, t: AnyTransition | undefined): void {
    const g = select(layers.grids) as unknown as Sel<SVGGElement, unknown>;
    const grids = g
      .selectAll<SVGGElement, GridModel>('g.grid')
      .data(vm.grids, (d) => d.key)
      .join(
        (enter) => {
          const e = enter
            .append('g')
            .attr('class', 'grid')
            .attr('transform', translate)
            .attr('opacity', 0);
          e.append('rect').attr('class', 'grid-frame').attr('rx', 3);
          e.append('text').attr('class', 'grid-label').attr('y', -5);
          return e;
        },
        (update) => update,
        (exit) => {
          exitFade(exit, t);
          return exit;
        },
      )
      .attr('data-key', (d) => d.key)
      .classed('focused', (d) => d.focused);
    put(grids, t, { transform: translate, opacity: () => 1 });
    grids
      .select('rect.grid-frame')
      .attr('x', -3)
      .attr('y', -3)
      .attr('width', (d) => d.w + 6)
      .attr('height', (d) => d.h + 6);
    grids.select('text.grid-label').text((d) => d.label);
  }

  function cacheJoin(vm: WalkViewModel, t: AnyTransition | undefined): void {
    const g = select(layers.cache) as unknown as Sel<SVGGElement, unknown>;
    const rows = g
      .selectAll<SVGGElement, CacheRowModel>('g.cache-row')
      .data(vm.cacheRows, (d) => d.key)
      .join(
        (enter) => {
          // A created entry starts at its leaf slot and flies into the list head.
          const e = enter
            .append('g')
            .attr('transform', (d) => translate(d.enterFrom ?? { x: d.x + 24, y: d.y }))
            .attr('opacity', (d) => (d.enterFrom ? 1 : 0));
          e.append('rect').attr('rx', 3);
          e.append('text').attr('class', 'row-glyph').attr('x', 9).attr('text-anchor', 'middle');
          e.append('text').attr('class', 'row-text').attr('x', 20);
          e.append('title');
          return e;
        },
        (update) => update,
        (exit) => {
          exitFade(exit, t);
          return exit;
        },
      )
      .attr('data-key', (d) => d.key)
      .attr('data-state', (d) => d.state)
      .attr('class', (d) => `cache-row state-${d.state}`);
    put(rows, t, { transform: translate, opacity: () => 1 });
    put(rows.select<SVGRectElement>('rect'), t, { width: (d) => d.w, height: (d) => d.h });
    rows
      .select('text.row-glyph')
      .attr('y', (d) => d.h / 2 + 4)
      .text((d) => rowGlyph(d.state));
    rows
      .select('text.row-text')
      .attr('y', (d) => d.h / 2 + 4)
      .text((d) => d.text);
    rows.select('title').text((d) => d.title);
  }

  function labelsJoin(vm: WalkViewModel): void {
    const g = select(layers.labels) as unknown as Sel<SVGGElement, unknown>;
    g.selectAll<SVGTextElement, TextModel>('text')
      .data(vm.labels, (d) => d.key)
      .join('text')
      .attr('data-key', (d) => d.key)
      .attr('class', (d) => d.cls)
      .attr('x', (d) => d.x)
      .attr('y', (d) => d.y)
      .attr('text-anchor', (d) => d.anchor)
      .text((d) => d.text);
  }

  function calloutsJoin(vm: WalkViewModel, t: AnyTransition | undefined): void {
    const g = select(layers.callouts) as unknown as Sel<SVGGElement, unknown>;
    const c = g
      .selectAll<SVGGElement, CalloutModel>('g.callout')
      .data(vm.callouts, (d) => d.key)
      .join(
        (enter) => {
          const e = enter.append('g').attr('transform', translate);
          e.append('rect').attr('rx', 4);
          e.append('text').attr('x', 10);
          return e;
        },
        (update) => update,
        (exit) => exit.remove(),
      )
      .attr('data-key', (d) => d.key)
      .attr('class', (d) => `callout state-${d.state}`);
    put(c, t, { transform: translate });
    c.select('rect')
      .attr('width', (d) => d.w)
      .attr('height', (d) => d.h);
    c.select('text')
      .selectAll<SVGTSpanElement, { text: string; main: boolean }>('tspan')
      .data((d) => d.lines.map((text, i) => ({ text, main: i < d.mainLines })))
      .join('tspan')
      .attr('x', 10)
      .attr('dy', (_d, i) => (i === 0 ? 15 : 14))
      .attr('class', (d) => (d.main ? 'callout-main' : 'callout-sub'))
      .text((d) => d.text);
  }

  function focusJoin(vm: WalkViewModel, t: AnyTransition | undefined): void {
    const g = select(layers.focus) as unknown as Sel<SVGGElement, unknown>;
    const f = g
      .selectAll<SVGRectElement, Box & { key: string }>('rect.focus-ring')
      .data(vm.focus ? [vm.focus] : [], (d) => d.key)
      .join(
        (enter) =>
          enter
            .append('rect')
            .attr('class', 'focus-ring')
            .attr('rx', 4)
            .attr('x', (d) => d.x)
            .attr('y', (d) => d.y)
            .attr('width', (d) => d.w)
            .attr('height', (d) => d.h),
        (update) => update,
        (exit) => exit.remove(),
      );
    put(f, t, { x: (d) => d.x, y: (d) => d.y, width: (d) => d.w, height: (d) => d.h });
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
      rangeJoin(vm, t);
      contextsJoin(vm, t);
      cellsJoin<DirCellModel>(layers.dirs, 'dir-cell', vm.dirCells, t, (d) => {
        if (d.to - d.from > 1) callbacks.onZoomDirs?.(d.bdf, d.from, d.to);
      });
      gridsJoin(vm, t);
      cellsJoin<CellModel>(layers.slots, 'slot', vm.slots, t);
      cellsJoin<CellModel>(layers.chips, 'as-chip', vm.asChips, t);
      cacheJoin(vm, t);
      labelsJoin(vm);
      calloutsJoin(vm, t);
      focusJoin(vm, t);
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
    },
  };
}

function rowGlyph(state: CacheRowModel['state']): string {
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- other states have no glyph
  switch (state) {
    case 'created':
      return '+';
    case 'updated':
      return 'Δ';
    case 'removed':
      return '−';
    case 'unchanged':
      return '=';
    case 'more':
      return '⋯';
    default:
      return '';
  }
}

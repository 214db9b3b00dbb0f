// Long tables in the Caches panel (a 2^20-PASID device caches 16,384 entries; its host table as
// many hwpts): only the rows near the visible part of the table exist in the DOM. Shared by the
// cache tables and the host tables.

import { elementScroll, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import type { ReactNode } from 'react';

/** Height of a plain row (px): the virtualiser measures the real ones. */
export const ROW_ESTIMATE = 25;
/** Tables with more rows than this make their rows only once scrolled near (see useSeen). */
export const LAZY_ROWS = 100;
/** How many rows the placeholder of a table not yet seen stands for (its box's height). */
export const PLACEHOLDER_ROWS = 18;

/** The scroll box's size as a ResizeObserver reports it (after layout, without forcing one). */
function observeBoxSize(
  instance: Virtualizer<HTMLDivElement, Element>,
  cb: (rect: { width: number; height: number }) => void,
): (() => void) | undefined {
  const el = instance.scrollElement;
  if (!el || typeof ResizeObserver !== 'function') return undefined;
  const ro = new ResizeObserver((entries) => {
    const box = entries[0]?.borderBoxSize[0];
    if (box) cb({ width: Math.round(box.inlineSize), height: Math.round(box.blockSize) });
  });
  ro.observe(el, { box: 'border-box' });
  return () => ro.disconnect();
}

/** Scrolls the box, except to where it already is: the virtualiser "restores" offset 0 when it
 * attaches to a new box, and that no-op write would force a layout of the page. */
function scrollUnlessThere(
  offset: number,
  options: { adjustments?: number; behavior?: ScrollBehavior },
  instance: Virtualizer<HTMLDivElement, Element>,
): void {
  const target = offset + (options.adjustments ?? 0);
  if (options.behavior === undefined && target === (instance.scrollOffset ?? 0)) return;
  elementScroll(offset, options, instance);
}

/**
 * The rows of a table in view (and a few around them), each rendered by `row` as a `<tbody>` of its
 * own (it may hold a detail row under the row), with spacers standing for the rest.
 */
export function VirtualRowGroups({
  count,
  scrollRef,
  row,
}: {
  count: number;
  scrollRef: React.RefObject<HTMLDivElement | null>;
  row: (index: number, measure: (el: Element | null) => void) => ReactNode;
}) {
  // The virtualiser hands out functions React Compiler cannot memoise; this is the documented use.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtual = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 6,
    // Sizes come from a ResizeObserver after layout, never by reading layout while React commits
    // (each read would force a layout of the whole page in the middle of the task).
    initialRect: { width: 0, height: PLACEHOLDER_ROWS * ROW_ESTIMATE },
    observeElementRect: observeBoxSize,
    scrollToFn: scrollUnlessThere,
    measureElement: (_el, entry) => {
      const box = entry?.borderBoxSize[0];
      return box ? Math.round(box.blockSize) : ROW_ESTIMATE;
    },
  });
  const items = virtual.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = Math.max(0, virtual.getTotalSize() - (items[items.length - 1]?.end ?? 0));
  return (
    <>
      {top > 0 ? (
        <tbody aria-hidden="true">
          <tr className="spacer" style={{ height: top }} />
        </tbody>
      ) : null}
      {items.map((item) => row(item.index, virtual.measureElement))}
      {bottom > 0 ? (
        <tbody aria-hidden="true">
          <tr className="spacer" style={{ height: bottom }} />
        </tbody>
      ) : null}
    </>
  );
}

/** What a long table shows before it has been scrolled near: a box of its height, no rows. */
export function PlaceholderRows() {
  return (
    <tbody aria-hidden="true">
      <tr className="spacer" style={{ height: PLACEHOLDER_ROWS * ROW_ESTIMATE }} />
    </tbody>
  );
}

// The host of the D3 walk view: React owns the <svg> and its size, D3 owns everything inside
// (viz/walk/render.ts). The drawing is laid out in its own units and shown `scale` times larger;
// when it is taller than its box, the box scrolls to keep the active device in view.

import { useEffect, useRef } from 'react';
import { createWalkView, type WalkView, type WalkViewCallbacks } from '../../viz/walk/render.ts';
import type { WalkViewModel } from '../../viz/walk/layout.ts';

export interface WalkCanvasProps {
  readonly vm: WalkViewModel;
  readonly scale: number;
  readonly duration: number;
  readonly callbacks: WalkViewCallbacks;
  /** Increments to ask for a zoom reset. */
  readonly resetZoomToken: number;
  /** The inner height of the scrolling box around the drawing (kept by a ResizeObserver). */
  readonly boxHeight: number;
}

function scrollBoxTo(box: HTMLElement, top: number): void {
  box.scrollTop = top;
}

export function WalkCanvas({
  vm,
  scale,
  duration,
  callbacks,
  resetZoomToken,
  boxHeight,
}: WalkCanvasProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const viewRef = useRef<WalkView | undefined>(undefined);
  // D3 calls back through this ref, so it always reaches the latest handlers.
  const callbacksRef = useRef(callbacks);
  useEffect(() => {
    callbacksRef.current = callbacks;
  }, [callbacks]);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return undefined;
    const view = createWalkView(svg, {
      onSelectDevice: (bdf) => callbacksRef.current.onSelectDevice?.(bdf),
      beginAnimation: () => callbacksRef.current.beginAnimation?.() ?? (() => {}),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      viewRef.current = undefined;
    };
  }, []);

  useEffect(() => {
    viewRef.current?.update(vm, { duration });
  }, [vm, duration]);

  useEffect(() => {
    if (resetZoomToken > 0) viewRef.current?.resetZoom();
  }, [resetZoomToken]);

  // The active device's lane scrolls into view when it changes (only matters when the box scrolls).
  // Nothing here reads layout: the heights are known and the box's scroll offset is followed by a
  // listener, because reading scrollTop right after the D3 update would force a layout on every
  // event of a playback.
  const scrollTopRef = useRef(0);
  useEffect(() => {
    const box = svgRef.current?.parentElement;
    if (!box) return undefined;
    const follow = (): void => {
      scrollTopRef.current = box.scrollTop;
    };
    box.addEventListener('scroll', follow, { passive: true });
    return () => box.removeEventListener('scroll', follow);
  }, []);
  const height = Math.floor(vm.height * scale);
  const laneTop = vm.activeLane ? vm.activeLane.y * scale : 0;
  const laneBottom = vm.activeLane ? (vm.activeLane.y + vm.activeLane.h) * scale : 0;
  useEffect(() => {
    const box = svgRef.current?.parentElement;
    if (!box || height <= boxHeight) return;
    const top = scrollTopRef.current;
    const inView = laneTop >= top && laneBottom <= top + boxHeight;
    // A lane taller than the box is in view enough when its top edge shows near the box's top.
    const tallAndTopShown =
      laneBottom - laneTop > boxHeight && laneTop >= top && laneTop <= top + boxHeight / 4;
    const target = Math.max(0, Math.min(laneTop - 4, laneBottom - boxHeight, height - boxHeight));
    // Writing scrollTop costs a layout even when it does not move: only when it would move.
    if (inView || tallAndTopShown || Math.abs(target - top) < 1) return;
    scrollBoxTo(box, target);
    scrollTopRef.current = target;
  }, [laneTop, laneBottom, height, boxHeight]);

  return (
    <svg
      ref={svgRef}
      className="walk-svg"
      width={Math.floor(vm.width * scale)}
      height={height}
      viewBox={`0 0 ${vm.width.toFixed(2)} ${vm.height.toFixed(2)}`}
      role="group"
      aria-label="Walk of the chain QEMU follows: root entry, context entry, PASID directory and table, PASID entry, and the device's PASID caches"
    />
  );
}

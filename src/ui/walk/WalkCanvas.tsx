// The host of the D3 walk view: React owns the <svg> and its size, D3 owns everything inside
// (viz/walk/render.ts). Created once on mount, updated whenever the view model changes.

import { useEffect, useRef } from 'react';
import { createWalkView, type WalkView, type WalkViewCallbacks } from '../../viz/walk/render.ts';
import type { WalkViewModel } from '../../viz/walk/layout.ts';

export interface WalkCanvasProps {
  readonly vm: WalkViewModel;
  readonly duration: number;
  readonly callbacks: WalkViewCallbacks;
  /** Increments to ask for a zoom reset. */
  readonly resetZoomToken: number;
}

export function WalkCanvas({ vm, duration, callbacks, resetZoomToken }: WalkCanvasProps) {
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
      onZoomDirs: (bdf, from, to) => callbacksRef.current.onZoomDirs?.(bdf, from, to),
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

  return (
    <svg
      ref={svgRef}
      className="walk-svg"
      width={vm.width}
      height={vm.height}
      viewBox={`0 0 ${vm.width} ${vm.height}`}
      role="img"
      aria-label="Walk of the PASID directory and tables, with each device's PASID caches"
    />
  );
}

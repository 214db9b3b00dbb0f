// A horizontal splitter between the walk view and the entry editor: drag it, or focus it and use
// ↑ / ↓ (Home / End for the limits).

import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { useAppStore } from '../../state/index.ts';

export function Splitter({ containerRef }: { containerRef: React.RefObject<HTMLElement | null> }) {
  const fraction = useAppStore((s) => s.walkFraction);
  const setFraction = useAppStore((s) => s.setWalkFraction);
  const dragging = useRef(false);

  const fromPointer = (clientY: number): void => {
    const box = containerRef.current?.getBoundingClientRect();
    if (box && box.height > 0) setFraction((clientY - box.top) / box.height);
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (dragging.current) fromPointer(e.clientY);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>): void => {
    dragging.current = false;
    e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = e.shiftKey ? 0.1 : 0.03;
    if (e.key === 'ArrowUp') setFraction(fraction - step);
    else if (e.key === 'ArrowDown') setFraction(fraction + step);
    else if (e.key === 'Home') setFraction(0.2);
    else if (e.key === 'End') setFraction(0.85);
    else return;
    e.preventDefault();
  };
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize walk view and entry editor"
      aria-valuemin={20}
      aria-valuemax={85}
      aria-valuenow={Math.round(fraction * 100)}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}

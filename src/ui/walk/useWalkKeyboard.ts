// The walk view's keys (the table in walkKeys.ts), VisuAlgo-style. They act when focus is on the
// page body or inside the walk panel, never while typing in a field or when another widget owns
// the arrow keys (trees, grids, lists, menus).

import { useEffect, type RefObject } from 'react';
import { commandForKey, type WalkActions } from './walkKeys.ts';

const OWNS_KEYS =
  '[role="tree"],[role="treegrid"],[role="grid"],[role="listbox"],[role="menu"],[role="tablist"],[role="radiogroup"],[role="dialog"]';

function typingTarget(t: EventTarget | null): boolean {
  return (
    t instanceof HTMLInputElement ||
    t instanceof HTMLTextAreaElement ||
    t instanceof HTMLSelectElement ||
    (t instanceof HTMLElement && t.isContentEditable)
  );
}

export function useWalkKeyboard(
  panelRef: RefObject<HTMLElement | null>,
  actions: WalkActions,
  enabled: boolean,
): void {
  useEffect(() => {
    if (!enabled) return undefined;
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target;
      const panel = panelRef.current;
      const inPanel = panel !== null && target instanceof Node && panel.contains(target);
      const onBody =
        target === document.body || target === document.documentElement || target === null;
      if (!inPanel && !onBody) return;
      if (typingTarget(target)) return;
      if (target instanceof Element && target.closest(OWNS_KEYS)) return;
      // Space or Enter on a focused button is that button's click.
      if ((e.key === ' ' || e.key === 'Enter') && target instanceof HTMLButtonElement) return;
      const command = commandForKey(e.key);
      if (!command) return;
      e.preventDefault();
      actions[command]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [panelRef, actions, enabled]);
}

// The walk view's keys, VisuAlgo-style: Space play/pause, ←/→ step, Home/End jump, +/− speed,
// ',' / '.' previous / next interesting event, PageUp / PageDown previous / next scenario step.
// They act when focus is on the page body or inside the walk panel, never while typing in a field
// or when another widget owns the arrow keys (trees, grids, lists, menus).

import { useEffect, type RefObject } from 'react';

export interface WalkKeyActions {
  readonly togglePlay: () => void;
  readonly stepBack: () => void;
  readonly stepForward: () => void;
  readonly jumpStart: () => void;
  readonly jumpEnd: () => void;
  readonly faster: () => void;
  readonly slower: () => void;
  readonly previousInteresting: () => void;
  readonly nextInteresting: () => void;
  readonly previousStep: () => void;
  readonly nextStep: () => void;
  readonly collapse: () => void;
}

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
  actions: WalkKeyActions,
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
      // Space on a focused button is that button's click.
      if (e.key === ' ' && target instanceof HTMLButtonElement) return;
      const map: Record<string, (() => void) | undefined> = {
        ' ': actions.togglePlay,
        ArrowLeft: actions.stepBack,
        ArrowRight: actions.stepForward,
        Home: actions.jumpStart,
        End: actions.jumpEnd,
        '+': actions.faster,
        '=': actions.faster,
        '-': actions.slower,
        _: actions.slower,
        ',': actions.previousInteresting,
        '.': actions.nextInteresting,
        PageUp: actions.previousStep,
        PageDown: actions.nextStep,
        Escape: actions.collapse,
      };
      const act = map[e.key];
      if (!act) return;
      e.preventDefault();
      act();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [panelRef, actions, enabled]);
}

// How the walk is shown: inside the app ('app'), alone for a projector ('present', ?present=1) or
// as a read-only player for an iframe ('embed', ?embed=1). Kept in the URL, so a link or an
// iframe's src picks the mode; the Present button and P switch it without a reload.

import { useSyncExternalStore } from 'react';

export type WalkMode = 'app' | 'present' | 'embed';

export function walkModeFromSearch(search: string): WalkMode {
  const q = new URLSearchParams(search);
  const on = (name: string): boolean => {
    const v = q.get(name);
    return v !== null && v !== '0' && v !== 'false';
  };
  if (on('embed')) return 'embed';
  if (on('present')) return 'present';
  return 'app';
}

/** The search string with the mode set (embed is only ever opened, never switched to). */
export function searchWithMode(search: string, mode: WalkMode): string {
  const q = new URLSearchParams(search);
  q.delete('present');
  if (mode === 'present') q.set('present', '1');
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * The query the page was opened with, read when this module loads (before start-up tidies the URL),
 * so the embedded player can link to the same scenario in the full app.
 */
const OPENED_SEARCH = typeof window === 'undefined' ? '' : window.location.search;

/** The full app's URL for what the embedded player shows (its `embed` parameter dropped). */
export function appUrlFromEmbed(): string {
  const q = new URLSearchParams(OPENED_SEARCH);
  q.delete('embed');
  const s = q.toString();
  return `${window.location.pathname}${s ? `?${s}` : ''}${window.location.hash}`;
}

const listeners = new Set<() => void>();

function subscribe(f: () => void): () => void {
  listeners.add(f);
  window.addEventListener('popstate', f);
  return () => {
    listeners.delete(f);
    window.removeEventListener('popstate', f);
  };
}

function current(): WalkMode {
  return typeof window === 'undefined' ? 'app' : walkModeFromSearch(window.location.search);
}

export function useWalkMode(): WalkMode {
  return useSyncExternalStore(subscribe, current, () => 'app');
}

export function setWalkMode(mode: WalkMode): void {
  const { pathname, search, hash } = window.location;
  window.history.replaceState(
    window.history.state,
    '',
    `${pathname}${searchWithMode(search, mode)}${hash}`,
  );
  for (const f of listeners) f();
}

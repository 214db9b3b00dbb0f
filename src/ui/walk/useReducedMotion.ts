// Motion off when the system asks for reduced motion or the URL carries ?motion=off (tests and
// screenshots use the flag so that every picture is the final state, never a frame of a transition).

import { useSyncExternalStore } from 'react';

const QUERY = '(prefers-reduced-motion: reduce)';

function subscribe(onChange: () => void): () => void {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return () => {};
  const mq = window.matchMedia(QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}

export function motionOffByUrl(search: string): boolean {
  const v = new URLSearchParams(search).get('motion');
  return v === 'off' || v === '0' || v === 'false';
}

function snapshot(): boolean {
  if (typeof window === 'undefined') return true;
  if (motionOffByUrl(window.location.search)) return true;
  return typeof window.matchMedia === 'function' && window.matchMedia(QUERY).matches;
}

/** True when the walk view must not animate. */
export function useReducedMotion(): boolean {
  return useSyncExternalStore(subscribe, snapshot, () => true);
}

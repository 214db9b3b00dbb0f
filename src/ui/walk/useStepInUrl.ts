// The event in the URL: read once (a shared link opens at its event), applied when the run of the
// opened scenario is in; then kept in the hash while the user steps (not while playing).

import { useEffect, useRef, useState } from 'react';
import { useAppStoreApi } from '../../state/index.ts';
import { stepFromUrl, withStepInHash, withoutStepInSearch } from './stepUrl.ts';

/**
 * The URL's event is the page's opening position: read by the first walk panel only. A panel mounted
 * later (switching to or from presentation mode) keeps the cursor where it is.
 */
let openingStepRead = false;

export function useStepInUrl(at: number, hasTrace: boolean, playing: boolean): void {
  const store = useAppStoreApi();
  const [initialStep] = useState(() => {
    if (typeof window === 'undefined' || openingStepRead) return undefined;
    openingStepRead = true;
    return stepFromUrl(window.location.search, window.location.hash);
  });
  const pendingStep = useRef<number | undefined>(initialStep);
  const [urlReady, setUrlReady] = useState(initialStep === undefined);
  useEffect(() => {
    const ready = (): boolean => {
      const s = store.getState();
      return (
        s.loading === 0 && s.run !== undefined && s.runOf === s.scenario && s.runStatus === 'done'
      );
    };
    const check = (): void => {
      if (pendingStep.current === undefined || !ready()) return;
      // After the run slice has placed the cursor for the new run.
      queueMicrotask(() => {
        const step = pendingStep.current;
        if (step === undefined || !ready()) return;
        pendingStep.current = undefined;
        store.getState().seekTo(step);
        setUrlReady(true);
      });
    };
    check();
    return store.subscribe(check);
  }, [store]);
  useEffect(() => {
    if (!urlReady || !hasTrace || playing || typeof window === 'undefined') return undefined;
    const timer = setTimeout(() => {
      const { pathname, search, hash } = window.location;
      const next = `${pathname}${withoutStepInSearch(search)}${withStepInHash(hash, at)}`;
      if (next !== `${pathname}${search}${hash}`) {
        window.history.replaceState(window.history.state, '', next);
      }
    }, 200);
    return () => clearTimeout(timer);
  }, [urlReady, hasTrace, at, playing]);
}

// "Resolve when nothing is pending": the store's idle() (and `window.pasidscope.idle()`, which the
// e2e tests and the UI bench wait on). Whoever can end pending work calls `check()`.

export interface IdleWatch {
  /** Resolves once `isIdle()` holds, looked at after the microtasks queued before the call. */
  wait(): Promise<void>;
  /** Something pending may have ended: resolve the waiters if nothing is pending now. */
  check(): void;
}

export function createIdleWatch(isIdle: () => boolean): IdleWatch {
  const waiters = new Set<() => void>();
  const check = (): void => {
    if (waiters.size === 0 || !isIdle()) return;
    const waiting = [...waiters];
    waiters.clear();
    for (const w of waiting) w();
  };
  return {
    wait: () =>
      new Promise<void>((resolve) => {
        // Let queued microtasks (a run scheduled by the last edit) start before judging.
        queueMicrotask(() => {
          waiters.add(resolve);
          check();
        });
      }),
    check,
  };
}

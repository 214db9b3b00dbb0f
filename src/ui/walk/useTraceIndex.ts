// The index over a run's trace (viz/trace/traceIndex.ts). Small traces are indexed at once; a large
// one (a 2^20-PASID walk on several devices) in slices of a few milliseconds between which the page
// stays responsive, with its progress shown. While it builds, the idle hook counts it as busy.

import { startTransition, useEffect, useMemo, useRef, useState } from 'react';
import type { Trace } from '../../model/index.ts';
import { useAppStoreApi } from '../../state/index.ts';
import { TraceIndexBuilder, buildTraceIndex, type TraceIndex } from '../../viz/trace/traceIndex.ts';

/** Traces up to this many events are indexed in one go (a few milliseconds). */
const INDEX_AT_ONCE = 20_000;
/** Work per slice when indexing in the background (ms). */
const SLICE_MS = 10;

export interface TraceIndexState {
  readonly index: TraceIndex | undefined;
  /** 0..1 */
  readonly progress: number;
}

export function useTraceIndex(trace: Trace | undefined): TraceIndexState {
  const store = useAppStoreApi();
  const atOnce = trace !== undefined && trace.length <= INDEX_AT_ONCE;
  const quick = useMemo(
    () => (trace && atOnce ? buildTraceIndex(trace) : undefined),
    [trace, atOnce],
  );
  const [sliced, setSliced] = useState<{
    readonly trace: Trace | undefined;
    readonly index: TraceIndex | undefined;
    readonly progress: number;
  }>({ trace: undefined, index: undefined, progress: 0 });

  // Held (as a running animation, for the idle hook) until the finished index has been rendered.
  const holdRef = useRef<{ readonly trace: Trace; readonly done: () => void } | undefined>(
    undefined,
  );

  useEffect(() => {
    if (!trace || atOnce) return undefined;
    const builder = new TraceIndexBuilder(trace);
    const release = store.getState().beginAnimation();
    let released = false;
    const done = (): void => {
      if (!released) {
        released = true;
        release();
      }
    };
    holdRef.current = { trace, done };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slice = (): void => {
      const until = performance.now() + SLICE_MS;
      if (builder.run(() => performance.now() > until)) {
        // The views of a large trace take a while to lay out: as a transition, React renders
        // them component by component between other work instead of in one long task.
        const index = builder.result();
        startTransition(() => setSliced({ trace, index, progress: 1 }));
        return;
      }
      setSliced({ trace, index: undefined, progress: builder.progress });
      timer = setTimeout(slice, 0);
    };
    timer = setTimeout(slice, 0);
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      done();
    };
  }, [trace, atOnce, store]);

  useEffect(() => {
    const hold = holdRef.current;
    if (hold && sliced.trace === hold.trace && sliced.index) hold.done();
  }, [sliced]);

  if (atOnce) return { index: quick, progress: 1 };
  return sliced.trace === trace
    ? { index: sliced.index, progress: sliced.progress }
    : { index: undefined, progress: 0 };
}

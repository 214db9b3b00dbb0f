// What the walk view reads from the store: the last run, the scenario it was computed from, an index
// over its trace (built once per run) and guest memory at any scenario step.

import { useCallback, useMemo } from 'react';
import type { Scenario } from '../../model/index.ts';
import { type AppState, memoryAtStep, useAppStore } from '../../state/index.ts';
import type { TraceIndex } from '../../viz/trace/traceIndex.ts';
import type { MemoryAtStep } from '../../viz/walk/cacheReplay.ts';
import { useTraceIndex } from './useTraceIndex.ts';

export interface WalkData {
  readonly run: NonNullable<AppState['run']>;
  readonly scenario: Scenario;
  readonly index: TraceIndex;
  readonly memoryAt: MemoryAtStep;
}

export interface WalkDataState {
  readonly data: WalkData | undefined;
  /** Indexing progress of a large trace (1 when ready or when there is no run). */
  readonly progress: number;
}

export function useWalkData(): WalkDataState {
  const run = useAppStore((s) => s.run);
  const scenario = useAppStore((s) => s.runOf);
  const trace = run?.result.trace;
  const { index, progress } = useTraceIndex(trace);
  const memoryAt = useCallback<MemoryAtStep>(
    (step) => {
      if (!scenario) return { readQword: () => 0n };
      return memoryAtStep(scenario, step);
    },
    [scenario],
  );
  const data = useMemo(
    () => (run && scenario && index ? { run, scenario, index, memoryAt } : undefined),
    [run, scenario, index, memoryAt],
  );
  return { data, progress: trace ? progress : 1 };
}

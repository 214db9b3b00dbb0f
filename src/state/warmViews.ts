// The memos a large run or scenario fills on first render, filled beforehand in slices (see
// workInSlices): a global sync over 8 devices × 2^20 PASIDs answers with 400,000 trace events and
// 131,072 cache entries, and building every index the views read in the render that shows it
// would hold the page for a quarter of a second.

import type { Scenario } from '../model/core.ts';
import type { AppRun } from '../worker/protocol.ts';
import { warmCacheHistory } from './cachesAtEvent.ts';
import { hostRowsOf } from './hostRows.ts';
import type { MemoryImage } from './memoryImage.ts';
import { warmStructureScans } from './structureTree.ts';

/** Runs with more trace events than this are warmed in slices before they are shown. */
export const WARM_RUN_EVENTS = 20_000;

/** The run's change history (Caches panel at the playhead) and each device's host rows. */
export function* warmRunViews(scenario: Scenario, run: AppRun): Generator<void> {
  yield* warmCacheHistory(run.result.trace);
  for (const device of scenario.devices) {
    if (run.caches.host[device.bdf]) hostRowsOf(run, device.bdf, scenario.variant);
    yield;
  }
}

/** The structure browser's directory scans of a scenario just loaded. */
export function warmScenarioViews(scenario: Scenario, mem: MemoryImage): Generator<void> {
  return warmStructureScans(scenario, mem);
}

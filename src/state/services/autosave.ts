// Autosave as a service the store is given: the engine packs the scenario (file text, compressed)
// off the page's thread and a burst of edits is saved once; on pagehide a waiting save of a small
// scenario is done synchronously. Tests inject a fake (or none).

import type { Scenario } from '../../model/core.ts';
import { packScenarioSync } from '../../shared/packing.ts';
import type { SimulationEngine } from '../engine.ts';
import {
  loadAutosave,
  saveAutosave,
  type AutosaveRecord,
  type SaveOutcome,
  type ScenarioSource,
} from '../persistence.ts';
import { LARGE_SCENARIO_WORDS, scenarioWords } from '../scenarioEdits.ts';

export interface Autosave {
  /** The saved record, if there is a readable one (start-up). */
  load(): AutosaveRecord | undefined;
  /** The scenario (or where it came from) changed: save after a pause in the edits. */
  schedule(): void;
  /** Saves now, synchronously, if a save is waiting and the scenario is small (pagehide). */
  flush(): void;
  /** A save is waiting or being written (the idle hook waits for it). */
  readonly busy: boolean;
  dispose(): void;
}

/** What an autosave needs from the store it serves. */
export interface AutosaveContext {
  read(): { readonly scenario: Scenario; readonly scenarioSource: ScenarioSource };
  /** Each save's outcome (a failure becomes a notice). */
  report(outcome: SaveOutcome): void;
  /** Called when a save has ended or been done at once (the idle hook looks again). */
  settled(): void;
}

export type AutosaveFactory = (context: AutosaveContext) => Autosave;

/** Autosave runs this long after the last edit. */
const SAVE_DELAY_MS = 150;
/** Large scenarios take a while to write out: wait for a pause in the edits. */
const LARGE_SAVE_DELAY_MS = 1500;

export const noAutosave: AutosaveFactory = () => ({
  load: () => undefined,
  schedule: () => {},
  flush: () => {},
  busy: false,
  dispose: () => {},
});

/** Autosave into browser storage, packed by the engine. */
export function storageAutosave(
  storage: Pick<Storage, 'getItem' | 'setItem'>,
  engine: Pick<SimulationEngine, 'packScenario'>,
): AutosaveFactory {
  return (context) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let saving = false;
    let dirty = false;
    // A save writes only if no newer one (e.g. the synchronous pagehide save) has written already.
    let saveSeq = 0;
    let writtenSeq = 0;

    const saveNow = async (): Promise<void> => {
      timer = undefined;
      if (saving) return;
      saving = true;
      dirty = false;
      const seq = ++saveSeq;
      const { scenario, scenarioSource } = context.read();
      const packed = await engine.packScenario({ scenario });
      if (seq > writtenSeq) {
        writtenSeq = seq;
        context.report(
          packed.ok
            ? saveAutosave(storage, { packed: packed.value, source: scenarioSource })
            : { ok: false, message: packed.error.message },
        );
      }
      saving = false;
      if (dirty) schedule();
      context.settled();
    };

    function schedule(): void {
      dirty = true;
      if (timer !== undefined) clearTimeout(timer);
      const large = scenarioWords(context.read().scenario) > LARGE_SCENARIO_WORDS;
      timer = setTimeout(() => void saveNow(), large ? LARGE_SAVE_DELAY_MS : SAVE_DELAY_MS);
    }

    return {
      load: () => loadAutosave(storage),
      schedule,
      flush() {
        if (!dirty) return;
        const { scenario, scenarioSource } = context.read();
        if (scenarioWords(scenario) > LARGE_SCENARIO_WORDS) return;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        dirty = false;
        writtenSeq = ++saveSeq;
        context.report(
          saveAutosave(storage, { packed: packScenarioSync(scenario), source: scenarioSource }),
        );
        if (!saving) context.settled();
      },
      get busy() {
        return timer !== undefined || saving;
      },
      dispose() {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
      },
    };
  };
}

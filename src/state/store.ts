// The app store: one vanilla Zustand store per app instance, composed from slices over injected
// services (engine, preset fetching, autosave, busy tracking, the animation clock), so tests build
// fresh stores with fakes. zundo's `temporal` wraps it once, tracking the scenario only. The only
// wiring here: a scenario change queues a run and an autosave; pending work feeds idle().

import { temporal } from 'zundo';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TemporalState } from 'zundo';
import type { SimulationEngine } from './engine.ts';
import { createIdleWatch } from './idleWatch.ts';
import { fetchRelative, type FetchText } from './presets.ts';
import {
  noAutosave,
  storageAutosave,
  type Autosave,
  type AutosaveFactory,
} from './services/autosave.ts';
import { createBusyTracker, type BusyTracker } from './services/busyTracker.ts';
import { browserFrameClock, type FrameClock } from './services/frameClock.ts';
import { createBusySlice } from './slices/busySlice.ts';
import { createCompareSlice } from './slices/compareSlice.ts';
import { createComposerSlice } from './slices/composerSlice.ts';
import { createImportSlice } from './slices/importSlice.ts';
import { createPlaybackSlice } from './slices/playbackSlice.ts';
import { createRunSlice } from './slices/runSlice.ts';
import { createScenarioSlice } from './slices/scenarioSlice.ts';
import type { AppState, StoreServices, UndoableState } from './slices/types.ts';
import { createViewSlice } from './slices/viewSlice.ts';
import { createTeachingSlice } from './slices/teachingSlice.ts';

export interface AppStoreOptions {
  readonly engine: SimulationEngine;
  /** Where autosave writes (with the engine packing); none and no `autosave` = no autosave. */
  readonly storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** Replaces the storage autosave (tests inject a fake). */
  readonly autosave?: AutosaveFactory;
  readonly fetchText?: FetchText;
  /** Default: a fresh tracker. */
  readonly busy?: BusyTracker;
  /** Default: requestAnimationFrame. */
  readonly clock?: FrameClock;
  /** Undo history length. */
  readonly undoLimit?: number;
}

export type AppStore = StoreApi<AppState> & {
  readonly temporal: StoreApi<TemporalState<UndoableState>>;
  readonly engine: SimulationEngine;
  readonly autosave: Autosave;
  /** How presets and their index are fetched. */
  readonly fetchText: FetchText;
  /** Resolves when no engine request, queued run, load, autosave or animation is pending. */
  idle(): Promise<void>;
  /** Saves now if an autosave is waiting (e.g. on pagehide). */
  flushAutosave(): void;
  dispose(): void;
};

export function createAppStore(options: AppStoreOptions): AppStore {
  const { engine } = options;
  const services: StoreServices = {
    engine,
    fetchText: options.fetchText ?? fetchRelative,
    busy: options.busy ?? createBusyTracker(),
    clock: options.clock ?? browserFrameClock,
  };
  const base = createStore<AppState>()(
    temporal(
      (...a) => ({
        ...createScenarioSlice(services)(...a),
        ...createRunSlice(services)(...a),
        ...createPlaybackSlice(services)(...a),
        ...createViewSlice(...a),
        ...createComposerSlice(...a),
        ...createBusySlice(services)(...a),
        ...createImportSlice(services)(...a),
        ...createCompareSlice(services)(...a),
        ...createTeachingSlice(services)(...a),
      }),
      {
        partialize: (s): UndoableState => ({
          scenario: s.scenario,
          scenarioSource: s.scenarioSource,
        }),
        equality: (a, b) => a.scenario === b.scenario,
        limit: options.undoLimit ?? 200,
      },
    ),
  );

  const idle = createIdleWatch(
    () =>
      services.busy.count() === 0 &&
      !autosave.busy &&
      engine.pending === 0 &&
      base.getState().runStatus !== 'running',
  );
  const checkIdle = (): void => queueMicrotask(() => idle.check());

  const makeAutosave =
    options.autosave ?? (options.storage ? storageAutosave(options.storage, engine) : noAutosave);
  const autosave = makeAutosave({
    read: () => base.getState(),
    report: (outcome) => {
      if (outcome.ok) base.getState().clearNotices('autosave');
      else
        base.getState().pushNotice({ tone: 'warning', topic: 'autosave', title: outcome.message });
    },
    settled: checkIdle,
  });

  const unsubscribers = [
    base.subscribe((s, prev) => {
      if (s.scenario !== prev.scenario) s.queueRun();
      if (s.scenario !== prev.scenario || s.scenarioSource !== prev.scenarioSource) {
        autosave.schedule();
      }
    }),
    base.subscribe(checkIdle),
    engine.onPendingChange(checkIdle),
    services.busy.subscribe(checkIdle),
  ];

  return Object.assign(base, {
    engine,
    autosave,
    fetchText: services.fetchText,
    idle: () => idle.wait(),
    flushAutosave: () => autosave.flush(),
    dispose(): void {
      for (const unsubscribe of unsubscribers) unsubscribe();
      autosave.dispose();
      engine.dispose();
    },
  });
}

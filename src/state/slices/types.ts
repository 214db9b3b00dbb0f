// The composed store type the slices are written against (each slice is a StateCreator over it).

import type { StateCreator } from 'zustand';
import type { BusySlice } from './busySlice.ts';
import type { CompareSlice } from './compareSlice.ts';
import type { ComposerSlice } from './composerSlice.ts';
import type { ImportSlice } from './importSlice.ts';
import type { PlaybackSlice } from './playbackSlice.ts';
import type { RunSlice } from './runSlice.ts';
import type { ScenarioSlice } from './scenarioSlice.ts';
import type { ViewSlice } from './viewSlice.ts';
import type { TeachingSlice } from './teachingSlice.ts';
import type { SimulationEngine } from '../engine.ts';
import type { FetchText } from '../presets.ts';
import type { BusyTracker } from '../services/busyTracker.ts';
import type { FrameClock } from '../services/frameClock.ts';

export type AppState = ScenarioSlice &
  RunSlice &
  PlaybackSlice &
  ViewSlice &
  ComposerSlice &
  BusySlice &
  ImportSlice &
  CompareSlice &
  TeachingSlice;

/** What undo/redo tracks: the scenario (and where it came from), not runs, playback or view. */
export interface UndoableState {
  readonly scenario: AppState['scenario'];
  readonly scenarioSource: AppState['scenarioSource'];
}

/** zundo's mutator as the slices see it (they never touch the temporal API themselves). */
export type Mutators = [['temporal', unknown]];

export type SliceCreator<T> = StateCreator<AppState, Mutators, [], T>;

/** Services the slices reach (injected, never module singletons). */
export interface StoreServices {
  readonly engine: SimulationEngine;
  /** How presets and their index are fetched. */
  readonly fetchText: FetchText;
  readonly busy: BusyTracker;
  readonly clock: FrameClock;
}

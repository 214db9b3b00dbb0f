// The state layer's public surface: what `src/ui` and the composition root (`src/main.tsx`) may
// import. Everything else in `src/state` is internal (the lint zones refuse a deeper import from
// `ui`). Tests reach their helpers through `src/state/testing/`.

// ---- the store and its React access ----
export { createAppStore, type AppStore } from './store.ts';
export type { AppState } from './slices/types.ts';
export { StoreProvider } from './StoreProvider.tsx';
export { useAppStore, useAppStoreApi, useUndoHistory } from './hooks.ts';
export { bootstrap } from './boot.ts';
export { createDefaultEngine } from './engine.ts';
export { fetchRelative } from './presets.ts';

// ---- slice types and constants the UI shows ----
export type {
  AppComparison,
  ComparedEntry,
  ComparedOutcome,
  ComparedPair,
  ComparedStep,
  DebugfsImportChoices,
} from '../worker/protocol.ts';
export type {
  CcGranularity,
  ComposerMode,
  ComposerState,
  PcGranularity,
  PiotlbComposerGranularity,
} from './slices/composerSlice.ts';
export type { ImportDraft, ImportPreview, ImportRequest } from './slices/importSlice.ts';
export { EVENTS_PER_SECOND_AT_1X, PLAYBACK_SPEEDS } from './slices/playbackSlice.ts';
export type { Notice, SidebarTab } from './slices/viewSlice.ts';

// ---- derived data (selectors and the pure helpers behind them) ----
export {
  VARIANT_LABELS,
  selectCacheMoment,
  selectCacheView,
  selectComposerWords,
  selectStepChangesAtCursor,
  type CacheMoment,
  selectRunIsCurrent,
  selectSelectedEntry,
  structureRowsOf,
  type CacheRow,
  type CacheTable,
  type ResolvedEntry,
} from './selectors.ts';
export { currentMemory, memoryAtStep } from './memoryImage.ts';
export { selectTourHighlight, tourNamed } from './slices/teachingSlice.ts';
export { previewEntry, type PreviewLine } from './entryPreview.ts';
export { hostRowsAt, type HostRow } from './hostRows.ts';
export { perfettoTraceText, reportText, scenarioAttachment } from './evidence.ts';
export {
  deviceFoldKey,
  tableFoldKey,
  type SharedWith,
  type StructureRow,
} from './structureTree.ts';
export { LAYOUT_OF, entryRefKey, sameEntryRef, type EntryRef } from './structures.ts';

// ---- words about a scenario, and its files and links ----
export { describeDescriptor, describeStep, sidToBdf } from './runSummary.ts';
export { hostFaultNote, hostFaultProblem, parseBdf, scenarioWords } from './scenarioEdits.ts';
export { IMPORT_KIND_LABELS, detectImportKind, type ImportKind } from './importKind.ts';
export { describeImport } from './importReport.ts';
export {
  exportFileName,
  fragmentParams,
  hashWithoutScenario,
  scenarioFileText,
  shareUrlFor,
} from './persistence.ts';

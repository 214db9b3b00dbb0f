// The model's lean public surface, for code that runs on the page: everything index.ts exports
// except the scenario file parser (and zod, its schema library), the importers that need it and the
// variant comparison. The page never parses or imports files itself (the simulation worker does),
// so these stay out of its bundle. Every type is here. index.ts remains the full surface (worker,
// CLI, tests); core.test.ts checks that the two agree.
export * from './scenario/scenarioTypes.ts';
export * from './run/runTypes.ts';
export * from './trace/traceFormat.ts';
export { runScenario } from './run/runScenario.ts';
export * from './bits/bitFields.ts';
export * from './bits/structures.ts';
export * from './memory/guestMemory.ts';
export * from './tables/rootEntry.ts';
export * from './tables/contextEntry.ts';
export * from './tables/pasidDirEntry.ts';
export * from './tables/pasidEntry.ts';
export * from './invalidation/descriptorType.ts';
export * from './invalidation/pasidCacheDescriptor.ts';
export * from './invalidation/waitDescriptor.ts';
export * from './invalidation/contextCacheDescriptor.ts';
export * from './invalidation/reservedMasks.ts';
export { memoryAtStep } from './memory/memoryAtStep.ts';
export { toContractJson, hex64 } from './run/contractJson.ts';
export type { ContractJson, ContractStep } from './run/contractJson.ts';
export { PasidScopeMachine, wordsFromHalves } from './run/pasidScopeMachine.ts';
export type { MachineOptions } from './run/pasidScopeMachine.ts';
export type { RunOptions } from './run/runScenario.ts';
export { TraceBuilder, traceByteLength } from './trace/traceBuilder.ts';
export { VtdFault, VTD_FAULTS, describeFault } from './qemu/vtdFaults.ts';
export type { VtdFaultInfo } from './qemu/vtdFaults.ts';
export { vtdCapInit } from './qemu/vtdCapInit.ts';
export type { VtdCaps } from './qemu/vtdCapInit.ts';
export { vtdInvDescCheck, descriptorWords } from './qemu/vtdInvalidationQueue.ts';
export type { DescriptorRejection } from './qemu/vtdInvalidationQueue.ts';
export type { ParseScenarioResult, ScenarioIssue } from './scenario/parseScenario.ts';
export { scenarioToFile } from './scenario/scenarioToFile.ts';
export type { ScenarioFileJson } from './scenario/scenarioToFile.ts';
export { SCENARIO_FORMAT, SCENARIO_VERSION } from './scenario/scenarioFormat.ts';
export { linuxPdtsFor } from './scenario/scenarioAuthoring.ts';
export { hexAddr, hexWord, formatBdf } from './scenario/scenarioValues.ts';
export { createLookupScratch, vtdDevGetPeFromPasid } from './qemu/vtdPasidEntry.ts';
export { vtdDevToContextEntry } from './qemu/vtdContextEntry.ts';
export {
  readTraceEvent,
  readTraceEventOf,
  traceStepRange,
  stepOfEvent,
  assertUnreachable,
  eventKind,
  eventFn,
  eventDevice,
  eventPasid,
  eventRunLength,
  eventAddr,
  leafOutcome,
  leafDid,
  leafListCompares,
  dirOutcome,
  dirRunEnd,
  dirFault,
  guestReadStructure,
  guestReadBytes,
  emuSkipReason,
  removalOutcome,
  deviceSkippedFault,
} from './trace/traceReader.ts';
export type { TraceEvent, TraceEventKind, TraceEventOf } from './trace/traceReader.ts';
export {
  walkDmarTranslation,
  walkDmarTranslationMemory,
  formatDebugfsDump,
  formatDmarTranslationView,
  formatDebugfsRow,
  DEBUGFS_COLUMN_HEADER,
  DEFAULT_IOMMU_NAME,
} from './importers/dmarTranslationStruct.ts';
export type {
  DmarTranslationRow,
  DmarTranslationView,
  DmarWalkOptions,
  StructurePage,
} from './importers/dmarTranslationStruct.ts';
export type {
  DebugfsImportOptions,
  DebugfsImportResult,
  DebugfsImportSummary,
} from './importers/importDebugfsDump.ts';
export { readTraceLine } from './importers/traceLine.ts';
export type {
  TraceImportResult,
  TraceFileImportResult,
  TraceImportStats,
} from './importers/importQemuTraceLog.ts';
export { formatImportIssue, describeLines } from './importers/importTypes.ts';
export type { ImportIssue } from './importers/importTypes.ts';
export type {
  VariantComparison,
  StepDifference,
  StepOutcome,
  StepAspect,
  CacheEntryDifference,
  CacheEntryState,
  CacheEntryAspect,
  VariantPairDifference,
} from './compare/compareVariants.ts';
export {
  linuxActionSteps,
  describeLinuxAction,
  linuxWaitDesc,
  LINUX_ACTION_KINDS,
  LINUX_FLAVOURS,
  LINUX_FLAVOUR_TITLES,
  PASID_SETUP_KINDS,
  FIRST_DOMAIN_ID,
  PASS_THROUGH_DID,
} from './linux/linuxActions.ts';
export type {
  LinuxAction,
  LinuxActionKind,
  LinuxActionOptions,
  LinuxActionResult,
  LinuxFlavour,
  LinuxGuest,
  PasidSetupKind,
} from './linux/linuxActions.ts';
export { appendLinuxAction, lastWaitStatusAddr } from './linux/appendLinuxAction.ts';
export type { AppendLinuxActionResult, AppendLinuxOptions } from './linux/appendLinuxAction.ts';
export {
  predictionTargets,
  revealPredictions,
  targetKey,
  ENTRY_FATES,
} from './teaching/predictReveal.ts';
export type {
  EntryFate,
  PredictionTarget,
  RevealedEntry,
  Reveal,
} from './teaching/predictReveal.ts';
export { entryProvenance } from './teaching/provenance.ts';
export type { EntryProvenance, FieldOrigin, WordOrigin } from './teaching/provenance.ts';
export { TOURS, findEvent } from './teaching/tours.ts';
export type { Tour, TourStop, TourHighlight, TourContext } from './teaching/tours.ts';

// The model's public surface. Nothing outside src/model imports a deeper path.
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
export {
  parseScenario,
  parseScenarioText,
  jsonPath,
  IOMMU_DEFAULTS,
} from './scenario/parseScenario.ts';
export type { ParseScenarioResult, ScenarioIssue } from './scenario/parseScenario.ts';
export { scenarioToFile } from './scenario/scenarioToFile.ts';
export type { ScenarioFileJson } from './scenario/scenarioToFile.ts';
export { SCENARIO_FORMAT, SCENARIO_VERSION, STEP_OPS } from './scenario/scenarioSchema.ts';
export { linuxPdtsFor } from './scenario/scenarioAuthoring.ts';
export { hexAddr, hexWord, formatBdf } from './scenario/scenarioValues.ts';
// QEMU's lookups, for the app's previews and stale checks (composed in src/worker/entryLookup.ts).
export { createLookupScratch, vtdDevGetPeFromPasid } from './qemu/vtdPasidEntry.ts';
export { vtdDevToContextEntry } from './qemu/vtdContextEntry.ts';
export { readTraceEvent, traceStepRange, stepOfEvent } from './trace/traceReader.ts';
export type { TraceEvent, TraceEventKind } from './trace/traceReader.ts';
// Importers (Linux debugfs dump, QEMU trace log), the debugfs-like view, and the variant comparison.
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
export { importDebugfsDump } from './importers/importDebugfsDump.ts';
export type {
  DebugfsImportOptions,
  DebugfsImportResult,
  DebugfsImportSummary,
} from './importers/importDebugfsDump.ts';
export {
  importQemuTraceLog,
  appendQemuTraceToFile,
  readTraceLine,
  INV_DESC_EVENT,
} from './importers/importQemuTraceLog.ts';
export type {
  TraceImportResult,
  TraceFileImportResult,
  TraceImportStats,
} from './importers/importQemuTraceLog.ts';
export { formatImportIssue, describeLines } from './importers/importTypes.ts';
export type { ImportIssue } from './importers/importTypes.ts';
export {
  compareVariants,
  describeComparison,
  comparisonToJson,
  stepAspects,
  cacheEntryAspects,
  listSteps,
  VARIANT_PAIRS,
} from './compare/compareVariants.ts';
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

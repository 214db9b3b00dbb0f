// The model's lean public surface, for code that runs on the page: everything index.ts exports
// except the scenario file parser (and zod, its schema library), the importers that need it and the
// variant comparison. The page never parses or imports files itself (the simulation worker does),
// so these stay out of its bundle. Every type is here. index.ts remains the full surface (worker,
// CLI, tests); core.test.ts checks that the two agree.
export {
  type DeviceBackend,
  type DeviceConfig,
  HOST_FAULT_OPS,
  type HostFault,
  type HostFaultOp,
  IOMMU_DEFAULTS,
  type IommuConfig,
  type MemoryBlock,
  type QuizQuestion,
  type Scenario,
  type ScenarioQuiz,
  type ScenarioStep,
  type Variant,
  VARIANTS,
} from './scenario/scenarioTypes.ts';
export {
  type AccelCacheEntry,
  type AccelWalkCounts,
  type CacheChange,
  type CacheEntryColumns,
  type CacheKind,
  type CacheState,
  type ChangeColumns,
  type ChangeKind,
  type EmulatedCacheEntry,
  type HostDeviceState,
  type PcInfo,
  type RunResult,
  type StepResult,
  type StepStatus,
} from './run/runTypes.ts';
export {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  HostCallOp,
  LeafOutcome,
  NO_ADDR,
  PcType,
  QEMU_FUNCTIONS,
  QemuFn,
  type QemuFunctionInfo,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
  type Trace,
  TraceKind,
} from './trace/traceFormat.ts';
export { runScenario } from './run/runScenario.ts';
export { HOST_CALLS_TRACED_PER_STEP } from './qemu/iommufdHost.ts';
export {
  PARENT_HWPT,
  hostStateAt,
  type HostCallNow,
  type HostLaneState,
  type HostObjectFate,
  type HostObjectView,
} from './run/hostReplay.ts';
export { decodePiotlb } from './qemu/vtdHostBinding.ts';
export {
  PIOTLB_MAX_AM,
  decodePiotlbFields,
  encodePiotlbDescriptor,
  type PiotlbFields,
  type PiotlbGranularity,
} from './invalidation/piotlbDescriptor.ts';
export {
  type BitField,
  decodeFields,
  encodeFields,
  fieldByName,
  fieldDisplayValue,
  type FieldKind,
  getField,
  setField,
  setFieldFromDisplay,
  type StructureLayout,
} from './bits/bitFields.ts';
export {
  ALL_STRUCTURES,
  CC_GRANULARITY_NAMES,
  CONTEXT_CACHE_DESC,
  CONTEXT_CACHE_DESC_RESERVED_VAL0,
  CONTEXT_ENTRY,
  contextEntryReservedMasks,
  hawMask,
  PASID_CACHE_DESC,
  PASID_CACHE_DESC_RESERVED_VAL0,
  PASID_DIR_ENTRY,
  PASID_ENTRY,
  PC_GRANULARITY_NAMES,
  PGTT_NAMES,
  ROOT_ENTRY,
  rootEntryReservedMask,
  WAIT_DESC,
  WAIT_DESC_RESERVED_HI,
  WAIT_DESC_RESERVED_LO,
} from './bits/structures.ts';
export {
  addrBigint,
  addrNumber,
  GuestMemory,
  PAGE_BYTES,
  PAGE_SHIFT,
  PAGE_WORDS,
} from './memory/guestMemory.ts';
export {
  decodeRootEntry,
  encodeRootEntry,
  type RootEntry,
  rootEntryAddress,
} from './tables/rootEntry.ts';
export {
  contextEntryAddress,
  decodeContextEntry,
  encodeContextEntry,
  pasidDirEntryCount,
  type ScalableContextEntry,
} from './tables/contextEntry.ts';
export {
  decodePasidDirEntry,
  encodePasidDirEntry,
  type PasidDirEntry,
  pasidDirEntryAddress,
  pasidDirIndex,
  pasidEntryAddress,
  pasidTableIndex,
} from './tables/pasidDirEntry.ts';
export { decodePasidEntry, encodePasidEntry, type PasidEntry, Pgtt } from './tables/pasidEntry.ts';
export {
  DESCRIPTOR_TYPE_TITLES,
  descriptorTypeCode,
  descriptorTypeName,
  DescType,
} from './invalidation/descriptorType.ts';
export {
  decodePasidCacheInvDescriptor,
  encodePasidCacheInvDescriptor,
  type PasidCacheInvDescriptor,
  PC_GRANULARITY_BY_NAME,
  PcGranularity,
} from './invalidation/pasidCacheDescriptor.ts';
export {
  decodeWaitDescriptor,
  encodeWaitDescriptor,
  type WaitDescriptor,
} from './invalidation/waitDescriptor.ts';
export {
  type CcGranularity,
  type ContextCacheDescriptor,
  decodeContextCacheDescriptor,
  encodeContextCacheDescriptor,
  functionMaskIgnoredBits,
} from './invalidation/contextCacheDescriptor.ts';
export {
  ALL_ONES,
  type DescriptorReservedMasks,
  DEVICE_IOTLB_RESERVED_HI,
  DEVICE_IOTLB_RESERVED_LO,
  IEC_RESERVED,
  IOTLB_RESERVED_HI,
  IOTLB_RESERVED_LO,
  MAX_ADDRESS_MASK,
  PAGE_GROUP_RESPONSE_RESERVED_HI,
  PAGE_GROUP_RESPONSE_RESERVED_LO,
  PASID_DEVICE_IOTLB_RESERVED_VAL0,
  PASID_DEVICE_IOTLB_RESERVED_VAL1,
  PIOTLB_RESERVED_VAL0,
  PIOTLB_RESERVED_VAL1,
  RESERVED_MASKS,
} from './invalidation/reservedMasks.ts';
export { memoryAtStep } from './run/memoryAtStep.ts';
export { toContractJson, hex64 } from './run/contractJson.ts';
export type { ContractJson, ContractStep } from './run/contractJson.ts';
export { PasidScopeMachine, wordsFromHalves } from './run/pasidScopeMachine.ts';
export { describeHostOp, describeHostState, hostCallLine } from './run/hostOpText.ts';
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
  leafDidAt,
  leafListCompares,
  leafListComparesAt,
  leafListComparesTotal,
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
export { describeDescriptor, sidToBdf } from './report/describeDescriptor.ts';
export {
  toPerfettoTrace,
  deviceTid,
  cacheTid,
  QEMU_PID,
  CACHES_PID,
  QUEUE_TID,
} from './export/perfettoTrace.ts';
export type { ChromeTrace, ChromeTraceEvent } from './export/perfettoTrace.ts';
export {
  formatMailReport,
  inlineScenarioFragment,
  wrapText,
  MAIL_WIDTH,
  INLINE_SCENARIO_BEGIN,
  INLINE_SCENARIO_END,
} from './report/mailReport.ts';
export type { MailReportOptions, ScenarioAttachment } from './report/mailReport.ts';
export {
  readFtraceLine,
  isFtraceHeaderLine,
  isKernelQiTrace,
  KERNEL_DESC_TYPE_NAMES,
  QI_SUBMIT_EVENT,
} from './importers/qiSubmitLine.ts';
export type { FtraceEventLine } from './importers/qiSubmitLine.ts';
export type {
  KernelTraceImportOptions,
  KernelTraceImportResult,
  KernelTraceImportStats,
} from './importers/importKernelQiTrace.ts';
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

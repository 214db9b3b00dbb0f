// The model's full public surface: everything of core.ts (what the page may import) plus the
// scenario file parser (zod), the importers built on it and the variant comparison. The worker,
// the CLI and the tests import this file; nothing outside src/model imports a deeper path.
export * from './core.ts';
export { parseScenario, parseScenarioText, jsonPath } from './scenario/parseScenario.ts';
export { STEP_OPS } from './scenario/scenarioSchema.ts';
export { importDebugfsDump } from './importers/importDebugfsDump.ts';
export {
  importQemuTraceLog,
  appendQemuTraceToFile,
  INV_DESC_EVENT,
} from './importers/importQemuTraceLog.ts';
export { mailComparisonLines } from './report/mailComparison.ts';
export { importKernelQiTrace, UNTRACED_WAIT_NOTE } from './importers/importKernelQiTrace.ts';
export {
  compareVariants,
  describeComparison,
  comparisonToJson,
  stepAspects,
  cacheEntryAspects,
  listSteps,
  VARIANT_PAIRS,
} from './compare/compareVariants.ts';

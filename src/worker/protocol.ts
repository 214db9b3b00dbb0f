// The typed, data-only API the simulation worker exposes (through Comlink) and the in-process engine
// serves in tests. Everything that crosses it is structured-clone safe: plain objects, arrays, strings,
// numbers, bigint and typed arrays. No classes, no functions, no proxies.
//
// Bump PROTOCOL_VERSION whenever a request or response shape changes meaning; the app refuses a
// worker that answers with another version (a stale cached bundle) instead of misreading it.

import type { HostColumns } from '../shared/hostWire.ts';
import type {
  CacheChange,
  CacheEntryAspect,
  CacheEntryState,
  CacheKind,
  CacheState,
  DebugfsImportSummary,
  DeviceBackend,
  HostDeviceState,
  ImportIssue,
  PcInfo,
  AccelWalkCounts,
  CacheEntryColumns,
  ChangeKind,
  RunResult,
  Scenario,
  ScenarioFileJson,
  ScenarioStep,
  StepAspect,
  StepStatus,
  StructurePage,
  TraceImportStats,
  KernelTraceImportStats,
  Variant,
} from '../model/index.ts';
import type { createSimulationApi } from './simulationApi.ts';

export const PROTOCOL_VERSION = 6;

/** An expected failure, returned as a value (never thrown across the boundary). */
export type EngineErrorKind =
  /** The scenario (or file) does not follow the format, or QEMU would refuse the configuration. */
  | 'invalid-scenario'
  /** The text is not JSON at all. */
  | 'not-json'
  /** The model threw: a bug, reported as such. */
  | 'model-error'
  /** The worker did not answer within the bound and was restarted. */
  | 'timeout'
  /** A newer run replaced this one before it finished: nothing went wrong, and no one shows it. */
  | 'cancelled'
  /** The worker died (or could not start) and was restarted. */
  | 'worker-crashed'
  /** The worker speaks another protocol version. */
  | 'protocol-mismatch'
  /** A debugfs dump or trace log the importer cannot read; `lines` says where. */
  | 'invalid-import';

export interface ScenarioIssue {
  /** JSON path of the offending value, e.g. "devices[1].backend" ("" for the whole file). */
  readonly path: string;
  readonly message: string;
}

export interface EngineError {
  readonly kind: EngineErrorKind;
  /** One line a person can act on. */
  readonly message: string;
  readonly issues?: readonly ScenarioIssue[];
  /** For 'invalid-import': each problem with the 1-based line of the input it is about. */
  readonly lines?: readonly ImportIssue[];
}

export type EngineResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EngineError };

/** The request of every call about one scenario. */
export interface ScenarioRequest {
  readonly scenario: Scenario;
}

export type RunRequest = ScenarioRequest;

export interface FileTextRequest extends ScenarioRequest {
  /** JSON indentation in spaces (absent: one line). */
  readonly indent?: number;
}

/** A run lists at most this many cache changes per step in `result.steps[i].changes` (the rest are
 * counted in `changesOmitted`); the highlighted step's changes are all in the cache columns. */
export const RUN_MAX_CHANGES_PER_STEP = 32;

/** The host table shows at most this many attachments and objects per device (the rest counted). */
export const RUN_MAX_HOST_ROWS = 2048;

/** Bits of AccelCacheColumns.flags: the highlighted step's change of a live entry, and staleness. */
export const CacheFlag = { Created: 1, Updated: 2, Stale: 4 } as const;

/**
 * One iommufd device's VTDAccelPASIDCacheEntry list after the run, as columns (typed arrays that
 * cross from the worker by transfer), with what the page shows per entry worked out in the worker.
 */
export interface AccelCacheColumns extends CacheEntryColumns {
  /** List positions (0 = head) in PASID order: find an entry by PASID with a binary search. */
  readonly byPasid: Uint32Array;
  /** Per entry, CacheFlag bits: created / updated by the highlighted step; stale (guest memory
   * after the last step no longer holds the cached words where QEMU's lookup would read them). */
  readonly flags: Uint8Array;
  readonly staleCount: number;
  /** PASIDs the highlighted step removed and did not create again, in the order of their first change. */
  readonly removed: Uint32Array;
  /** Just before the highlighted step, the entries it updated or removed (PASIDs ascending). */
  readonly before: CacheEntryColumns;
}

/** Both caches after the run, compact. */
export interface AppCaches {
  readonly iqe: boolean;
  /** Per iommufd device (bdf). */
  readonly accel: Readonly<Record<string, AccelCacheColumns>>;
  /** Per device, per address-space PASID: a handful of entries, as objects. */
  readonly emulated: CacheState['emulated'];
  /** Per iommufd device: the host side, at most RUN_MAX_HOST_ROWS attachments and objects each. */
  readonly host: Readonly<Record<string, HostDeviceState>>;
}

/** The highlighted step's changes beyond what `result.steps[n].changes` lists. */
export interface FocusChanges {
  /** Every change of the step, counted by cache and kind. */
  readonly counts: Readonly<Record<CacheKind, Readonly<Record<ChangeKind, number>>>>;
  readonly total: number;
  /** Its emulated-cache changes, all of them, in order (at most a few per address space). */
  readonly emulated: readonly CacheChange[];
  /** Emulated entries just before the step, for the address spaces it changed. */
  readonly emulatedBefore: CacheState['emulated'];
}

/**
 * What the app needs from one run. The page never decodes a whole cache: the caches come as
 * columns (`caches`), and views build rows only for what they show. `result.final` is the model's
 * full CacheState, made from the columns when something first reads it (tests, tools); the
 * worker does not send it (see WireRun).
 */
export interface AppRun {
  /** The model's result; each step lists at most RUN_MAX_CHANGES_PER_STEP changes. */
  readonly result: RunResult;
  /** The highlighted step: the last invalidation that is not a wait descriptor (else the last
   * invalidation), or -1 when the scenario has none. */
  readonly focusStep: number;
  readonly caches: AppCaches;
  readonly focus: FocusChanges;
  /** Wall time of the model run inside the engine, in milliseconds. */
  readonly ms: number;
}

/** A run as the worker sends it: AppRun without `result.final` (the engine adds it on the page)
 * and with each device's host state in columns (shared/hostWire.ts, unpacked on the page). */
export interface WireRun extends Omit<AppRun, 'result' | 'caches'> {
  readonly result: Omit<RunResult, 'final'>;
  readonly caches: Omit<AppCaches, 'host'> & {
    readonly host: Readonly<Record<string, HostColumns>>;
  };
}

export interface ParsedScenario {
  readonly scenario: Scenario;
  readonly warnings: readonly string[];
  /** The scenario's initial memory, already built, when it is large (see memoryPages.ts). */
  readonly initialMemory?: MemoryPages;
}

/** Guest memory as pages: page i is words[1024 i, 1024 (i + 1)) at page number numbers[i]. */
export interface MemoryPages {
  readonly ramBytes: bigint;
  readonly numbers: Float64Array;
  readonly words: Uint32Array;
}

export interface Hello {
  readonly protocolVersion: number;
}

// ---- importers, comparison, debugfs view (protocol 4) -------------------------------------------

/** The importer options the app offers for a Linux dmar_translation_struct dump. */
export interface DebugfsImportChoices {
  /** Backend of every device (the importer's default: emulated). */
  readonly backend?: DeviceBackend;
  /** QEMU's fsts property; absent: read off the PASID entries' types. */
  readonly fsts?: boolean;
  /** Which IOMMU of a multi-IOMMU dump (default: the first with DMA remapping on). */
  readonly iommu?: string;
  /** The variant the new scenario runs under (the app keeps the one the person chose). */
  readonly variant?: Variant;
}

export interface DebugfsImportRequest {
  readonly text: string;
  readonly options?: DebugfsImportChoices;
}

export interface TraceImportRequest {
  readonly text: string;
  /** The scenario the log's descriptors are appended to. */
  readonly base: Scenario;
  /** The same scenario as a file in its authoring form, when the page still has it (right after
   * a debugfs import): the PASID tables its resolver places then move clear of the pages the
   * log's wait descriptors write to, as `pasidscope import-trace --base` does. */
  readonly baseFile?: ScenarioFileJson;
  /** A kernel qi_submit trace: which IOMMU unit (default the first it names). */
  readonly iommu?: string;
}

/** What an import made and how: shown to the person before and after they accept it. */
export type ImportReport =
  | {
      readonly kind: 'debugfs';
      readonly summary: DebugfsImportSummary;
      readonly backend: DeviceBackend;
      /** fsts as imported, and whether the person chose it (else it was read off the entries). */
      readonly fsts: boolean;
      readonly fstsChosen: boolean;
      /** The IOMMU names the dump holds, in order (several on a multi-IOMMU host). */
      readonly iommus: readonly string[];
    }
  | {
      readonly kind: 'qemu-trace';
      readonly stats: TraceImportStats;
      /** Lines that are no trace event (banner lines, warnings QEMU printed). */
      readonly unreadable: readonly ImportIssue[];
      /** Index of the first appended step and how many steps were appended. */
      readonly first: number;
      readonly count: number;
      /** Whether the base's authoring form was used (tables re-placed clear of status writes). */
      readonly authoringForm: boolean;
    }
  | {
      readonly kind: 'kernel-trace';
      readonly stats: KernelTraceImportStats;
      readonly unreadable: readonly ImportIssue[];
      readonly first: number;
      readonly count: number;
    };

export interface ImportedScenario {
  readonly scenario: Scenario;
  /** The scenario file in its authoring form (debugfs import, or a trace appended to one). */
  readonly file?: ScenarioFileJson;
  readonly report: ImportReport;
  /** Warnings with the line of the input they are about. */
  readonly warnings: readonly ImportIssue[];
  /** The scenario parser's warnings about the resulting file. */
  readonly fileWarnings: readonly string[];
}

/** Outcome of one variant at one step, with its cache changes capped for the page. */
export interface ComparedOutcome {
  readonly status: StepStatus;
  readonly error?: string;
  readonly pcInfo?: PcInfo;
  readonly accelWalk?: AccelWalkCounts;
  /** The first changes (at most COMPARE_MAX_CHANGES); `changeCount` is how many there are. */
  readonly changes: readonly CacheChange[];
  readonly changeCount: number;
}

export interface ComparedStep {
  readonly index: number;
  readonly op: ScenarioStep['op'];
  readonly note?: string;
  /** Aspects that differ between at least two variants. */
  readonly aspects: readonly StepAspect[];
  readonly outcomes: Readonly<Record<Variant, ComparedOutcome>>;
}

export interface ComparedEntry {
  readonly cache: CacheKind;
  readonly bdf: string;
  readonly pasid: number;
  readonly aspects: readonly CacheEntryAspect[];
  readonly states: Readonly<Record<Variant, CacheEntryState>>;
}

/** One pair of variants: what differs between these two only. */
export interface ComparedPair {
  readonly from: Variant;
  readonly to: Variant;
  /** Steps whose outcome differs between the two, with how. */
  readonly steps: readonly { readonly index: number; readonly aspects: readonly StepAspect[] }[];
  /** How many steps differ in all (`steps` may be capped). */
  readonly stepsDiffering: number;
  /** Final cache entries that differ between the two: index into `entries`, and how. */
  readonly entries: readonly {
    readonly at: number;
    readonly aspects: readonly CacheEntryAspect[];
  }[];
  /** How many final entries differ in all (`entries` may be capped). */
  readonly entryCount: number;
  readonly iqeDiffers: boolean;
}

/** The model's variant comparison, shaped for the page: per-pair detail, long lists capped. */
export interface AppComparison {
  readonly variants: readonly Variant[];
  readonly stepCount: number;
  /** True when every variant agrees on every step and on the final caches. */
  readonly identical: boolean;
  /** The review lines (describeComparison), with steps numbered from 1 as the app shows them. */
  readonly summary: readonly string[];
  /** Steps where some variant differs, in order (at most COMPARE_MAX_STEPS). */
  readonly steps: readonly ComparedStep[];
  readonly stepsDiffering: number;
  /** Final cache entries that differ in some pair (at most COMPARE_MAX_ENTRIES). */
  readonly entries: readonly ComparedEntry[];
  readonly entriesDiffering: number;
  readonly iqe: Readonly<Record<Variant, boolean>>;
  readonly pairs: readonly ComparedPair[];
  /** Wall time of the three runs and the comparison, in milliseconds. */
  readonly ms: number;
}

export const COMPARE_MAX_CHANGES = 24;
export const COMPARE_MAX_STEPS = 400;
export const COMPARE_MAX_ENTRIES = 400;

export interface DebugfsDumpRequest {
  readonly scenario: Scenario;
  /** Memory as step N sees it, before it runs; absent: after the last step. */
  readonly step?: number;
}

/** What the guest's dmar_translation_struct would print, and what the walk found. */
export interface DebugfsDump {
  readonly text: string;
  /** GSTS.TES: false prints one line ("DMA Remapping is not enabled"). */
  readonly enabled: boolean;
  readonly scalable: boolean;
  readonly rows: number;
  readonly devices: number;
  /** Every guest page the walk found a structure in. */
  readonly pages: readonly StructurePage[];
  /** The step the tables are shown before (steps.length = after the last step). */
  readonly step: number;
}

/**
 * The API: the object `createSimulationApi()` builds (simulationApi.ts), whose methods are the
 * calls. Over Comlink each method becomes async. Inputs are validated with the model's own parser
 * before anything runs.
 */
export type SimulationApi = ReturnType<typeof createSimulationApi>;

/** The calls the page makes (every API method but the `hello` handshake). */
export type CallName = Exclude<keyof SimulationApi, 'hello'>;

/**
 * How a call is scheduled on the page's side of the seam:
 * - `run`: latest wins. A run still computing when a newer run arrives is cancelled (its caller gets
 *   the error kind `cancelled`), because the store would throw its answer away anyway.
 * - `request`: answered in turn, never cancelled.
 */
export type CallLane = 'run' | 'request';

/**
 * The list of calls. The engine (src/state/engine.ts) makes one method per entry; the compiler
 * refuses an API method missing here and an entry with no API method. Adding a call: write the
 * method in `createSimulationApi()` and add its name here.
 */
export const SIMULATION_CALLS = {
  run: 'run',
  parseScenarioText: 'request',
  packScenario: 'request',
  parsePackedScenario: 'request',
  shareFragment: 'request',
  fileText: 'request',
  importDebugfs: 'request',
  importQemuTrace: 'request',
  compareVariants: 'request',
  debugfsDump: 'request',
} as const satisfies Record<CallName, CallLane>;

// The typed, data-only API the simulation worker exposes (through Comlink) and the in-process engine
// serves in tests. Everything that crosses it is structured-clone safe: plain objects, arrays, strings,
// numbers, bigint and typed arrays. No classes, no functions, no proxies.
//
// Bump PROTOCOL_VERSION whenever a request or response shape changes meaning; the app refuses a
// worker that answers with another version (a stale cached bundle) instead of misreading it.

import type { CacheState, RunResult, Scenario } from '../model/index.ts';

export const PROTOCOL_VERSION = 3;

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
  /** The worker died (or could not start) and was restarted. */
  | 'worker-crashed'
  /** The worker speaks another protocol version. */
  | 'protocol-mismatch';

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
}

export type EngineResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EngineError };

export interface RunRequest {
  readonly scenario: Scenario;
}

/** What the app needs from one run: the model's result plus the cache state just before the step
 * whose changes the app highlights (so removed rows and old values can still be shown). */
export interface AppRun {
  readonly result: RunResult;
  /** The highlighted step: the last invalidation that is not a wait descriptor (else the last
   * invalidation), or -1 when the scenario has none. */
  readonly focusStep: number;
  /** Cache state just before `focusStep` ran, reduced to the entries that step changed (enough to
   * show removed rows and what an update changed). */
  readonly before: CacheState;
  /** Wall time of the model run inside the engine, in milliseconds. */
  readonly ms: number;
}

export interface ParsedScenario {
  readonly scenario: Scenario;
  readonly warnings: readonly string[];
}

export interface Hello {
  readonly protocolVersion: number;
}

/**
 * The API. Over Comlink each method becomes async (the implementation's own results may be plain
 * values or promises). Inputs are validated with the model's own parser before anything runs.
 */
export interface SimulationApi {
  hello(): Hello;
  /** Runs the whole scenario (its own variant). */
  run(request: RunRequest): EngineResult<AppRun>;
  /** Parses scenario file text (JSON) with the model's parser. */
  parseScenarioText(text: string): EngineResult<ParsedScenario>;
  /** The scenario as compressed file text for browser storage (autosave), made off the page's
   * thread because a large scenario takes a while to write out and compress. */
  packScenario(request: { readonly scenario: Scenario }): Promise<EngineResult<string>>;
  /** The inverse of packScenario, checked by the model's parser. */
  parsePackedScenario(packed: string): Promise<EngineResult<ParsedScenario>>;
  /** The scenario as file text (export), written off the page's thread. */
  fileText(request: {
    readonly scenario: Scenario;
    readonly indent?: number;
  }): EngineResult<string>;
}

// Import of a QEMU trace log (`-trace vtd_*`, log backend; formats in vtd-reference.md §6.2) into
// invalidate steps: every `vtd_inv_desc` event becomes the descriptor QEMU fetched, lo = val[0],
// hi = val[1], val[2..3] zero (the event does not print them; a 256-bit descriptor's upper half
// is reserved for every type QEMU handles).
//
// A log line is an optional prefix, the event name, a space and the formatted text. The prefix is
// "PID@SEC.USEC:" in older QEMUs (glued to the name) and a timestamp in newer ones, so the parser
// looks for the first identifier after timestamp-like tokens and treats that as the event name.
// Other events are counted by name and skipped; lines that are no trace event at all are listed
// with their line numbers. A vtd_inv_desc line whose text cannot be read is an error: dropping a
// descriptor silently would make the replay wrong.
//
// With a base scenario, a descriptor the model rejects (FSTS.IQE) that is followed by more
// descriptors in the log gets a clearIqe step after it: QEMU processed the later ones, so the guest
// must have cleared IQE in between (Linux's qi_check_fault does exactly that).
//
// Two entry points: importQemuTraceLog appends to a loaded Scenario; appendQemuTraceToFile appends
// to a scenario file and keeps its authoring form, so that tables the authoring resolver places
// (the PASID tables of a debugfs import, say) stay clear of the wait descriptors' status pages.
// A status write that still lands on a structure is reported: the replay would change it.

import { descriptorTypeCode, descriptorTypeName } from '../invalidation/descriptorType.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { ScenarioFileJson } from '../scenario/scenarioToFile.ts';
import type { Scenario, ScenarioStep } from '../scenario/scenarioTypes.ts';
import { hexAddr } from '../scenario/scenarioValues.ts';
import type { DescriptorLogFailure, LoggedDescriptor } from './descriptorSteps.ts';
import {
  appendStepsToFile,
  descriptorSteps,
  missingPasidCacheWarning,
  statusWriteCollisions,
} from './descriptorSteps.ts';
import type { ImportIssue } from './importTypes.ts';
import { textLines } from './importTypes.ts';
import { readTraceLine } from './traceLine.ts';

export { readTraceLine };

/** The trace event that carries a whole descriptor. */
export const INV_DESC_EVENT = 'vtd_inv_desc';

export interface TraceImportStats {
  /** vtd_inv_desc events turned into steps. */
  readonly descriptors: number;
  /** Other trace events, by name (skipped). */
  readonly otherEvents: Readonly<Record<string, number>>;
  readonly otherEventCount: number;
  /** clearIqe steps inserted after descriptors the model rejects (see the file comment). */
  readonly clearIqeInserted: number;
  /** Why the replay will change no PASID cache, when the log holds no PASID-cache descriptor. */
  readonly missingPasidCache?: string;
}

export type TraceImportResult =
  | {
      readonly ok: true;
      /** The new steps only, in log order. */
      readonly steps: readonly ScenarioStep[];
      /** base + steps (only when a base was given). */
      readonly scenario?: Scenario;
      readonly stats: TraceImportStats;
      /** Lines that are no trace event (their line numbers and why). */
      readonly unreadable: readonly ImportIssue[];
      readonly warnings: readonly ImportIssue[];
    }
  | { readonly ok: false; readonly errors: readonly ImportIssue[] };

const INV_DESC_RE =
  /^invalidate desc type (.+?) high 0x([0-9a-fA-F]{1,16}) low 0x([0-9a-fA-F]{1,16})$/;

function shorten(s: string): string {
  return JSON.stringify(s.length > 70 ? `${s.slice(0, 67)}...` : s);
}

export function importQemuTraceLog(text: string, base?: Scenario): TraceImportResult {
  try {
    return importLog(text, base);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ message: `internal error while importing the trace: ${msg}` }] };
  }
}

interface LogContent {
  readonly descs: readonly LoggedDescriptor[];
  readonly other: Readonly<Record<string, number>>;
  readonly otherCount: number;
  readonly unreadable: readonly ImportIssue[];
  readonly warnings: readonly ImportIssue[];
}

function readLog(
  text: string,
): { ok: true; log: LogContent } | { ok: false; errors: ImportIssue[] } {
  const errors: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const unreadable: ImportIssue[] = [];
  const other: Record<string, number> = {};
  let otherCount = 0;
  const descs: LoggedDescriptor[] = [];
  textLines(text).forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    const ev = readTraceLine(raw);
    if (!ev) {
      unreadable.push({ line: lineNo, message: `not a trace event: ${shorten(raw.trim())}` });
      return;
    }
    if (ev.name !== INV_DESC_EVENT) {
      other[ev.name] = (other[ev.name] ?? 0) + 1;
      otherCount++;
      return;
    }
    const m = INV_DESC_RE.exec(ev.args);
    if (!m) {
      errors.push({
        line: lineNo,
        message: `a ${INV_DESC_EVENT} event whose text is not "invalidate desc type <type> high 0x<hex> low 0x<hex>": ${shorten(ev.args)}`,
      });
      return;
    }
    const type = m[1] ?? '';
    const hi = BigInt(`0x${m[2] ?? '0'}`);
    const lo = BigInt(`0x${m[3] ?? '0'}`);
    const code = descriptorTypeCode(lo);
    const expected = descriptorTypeName(code);
    if (expected !== type) {
      warnings.push({
        line: lineNo,
        message: `the event says type "${type}" but the low word ${hexAddr(lo)} encodes type ${code}${expected ? ` ("${expected}")` : ''}: the words are imported as logged`,
      });
    }
    const when = ev.prefix ? `, ${ev.prefix}` : '';
    descs.push({
      line: lineNo,
      desc: [lo, hi, 0n, 0n],
      note: `QEMU trace line ${lineNo}${when}: ${type}`,
    });
  });
  if (errors.length) return { ok: false, errors };
  return { ok: true, log: { descs, other, otherCount, unreadable, warnings } };
}

function lacking(descs: readonly LoggedDescriptor[]): { missingPasidCache?: string } {
  const why = missingPasidCacheWarning(descs, 'qemu');
  return why !== undefined ? { missingPasidCache: why } : {};
}

function importLog(text: string, base: Scenario | undefined): TraceImportResult {
  const read = readLog(text);
  if (!read.ok) return read;
  const { log } = read;
  const { steps, clearIqeInserted } = descriptorSteps(log.descs, base);
  const stats: TraceImportStats = {
    descriptors: log.descs.length,
    otherEvents: log.other,
    otherEventCount: log.otherCount,
    clearIqeInserted,
    ...lacking(log.descs),
  };
  const common = { ok: true as const, steps, stats, unreadable: log.unreadable };
  if (!base) return { ...common, warnings: log.warnings };
  const scenario: Scenario = { ...base, steps: [...base.steps, ...steps] };
  const warnings = [...log.warnings, ...statusWriteCollisions(base, log.descs)];
  return { ...common, scenario, warnings };
}

export type TraceFileImportResult =
  | {
      readonly ok: true;
      /** The base file with the log's steps appended (its authoring form kept). */
      readonly file: ScenarioFileJson;
      /** That file, loaded. */
      readonly scenario: Scenario;
      readonly steps: readonly ScenarioStep[];
      readonly stats: TraceImportStats;
      readonly unreadable: readonly ImportIssue[];
      /** Warnings about the log, with its lines. */
      readonly warnings: readonly ImportIssue[];
      /** The scenario parser's warnings about the resulting file ("$.path: ..."). */
      readonly fileWarnings: readonly string[];
    }
  | DescriptorLogFailure;

/**
 * importQemuTraceLog for a base scenario *file*: the steps are appended to the file's own steps,
 * so its authoring form stays, and tables the resolver allocates (e.g. the PASID tables of a
 * debugfs import, whose real addresses no dump shows) are placed clear of the pages the log's wait
 * descriptors write their status to, as for any file.
 */
export function appendQemuTraceToFile(text: string, baseFile: unknown): TraceFileImportResult {
  try {
    const base = parseScenario(baseFile);
    if (!base.ok) return { ok: false, errors: [], baseErrors: base.errors };
    const read = readLog(text);
    if (!read.ok) return read;
    const { log } = read;
    const { steps, clearIqeInserted } = descriptorSteps(log.descs, base.scenario);
    const appended = appendStepsToFile(baseFile, steps);
    if (!appended.ok) return { ok: false, errors: [], baseErrors: appended.baseErrors };
    const { file, before, fileWarnings } = appended;
    return {
      ok: true,
      file,
      scenario: appended.scenario,
      steps,
      stats: {
        descriptors: log.descs.length,
        otherEvents: log.other,
        otherEventCount: log.otherCount,
        clearIqeInserted,
        ...lacking(log.descs),
      },
      unreadable: log.unreadable,
      warnings: [...log.warnings, ...statusWriteCollisions(before, log.descs)],
      fileWarnings,
    };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ message: `internal error while importing the trace: ${msg}` }] };
  }
}

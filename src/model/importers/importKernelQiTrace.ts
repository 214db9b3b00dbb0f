// Import of the guest kernel's own record of what it queued: the `intel_iommu:qi_submit` trace
// event, one line per descriptor with all four words, from the raw `trace` file, `trace-cmd
// report` output or bare lines (formats in qiSubmitLine.ts). Each line becomes one invalidate
// step; the note keeps the task, CPU and timestamp.
//
// What the trace does not show is not invented: Linux appends an invalidation-wait descriptor to
// every qi_submit_sync batch and does not trace it, so no wait step is added (the import says so);
// the guest's tables come from the base scenario, as for a QEMU log. A trace of several IOMMU units
// imports one of them (`iommu`, default the first named), as the debugfs import does. Other
// events are counted by name; lines that are no event are listed by number; a qi_submit line whose
// text cannot be read is an error, since dropping a descriptor would make the replay wrong.

import { descriptorTypeCode } from '../invalidation/descriptorType.ts';
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
import {
  KERNEL_DESC_TYPE_NAMES,
  QI_SUBMIT_EVENT,
  isFtraceHeaderLine,
  readFtraceLine,
  readLostEvents,
} from './qiSubmitLine.ts';

export interface KernelTraceImportOptions {
  /** Which IOMMU unit's descriptors to import ("dmar1"); default the first one the trace names. */
  readonly iommu?: string;
}

export interface KernelTraceImportStats {
  /** qi_submit lines of the chosen unit, turned into steps. */
  readonly descriptors: number;
  /** The unit imported. */
  readonly iommu: string;
  /** Every unit the trace names, in order of first appearance, with its descriptor count. */
  readonly units: readonly { readonly name: string; readonly descriptors: number }[];
  /** Other trace events, by name (skipped). */
  readonly otherEvents: Readonly<Record<string, number>>;
  readonly otherEventCount: number;
  /** Header lines ("# tracer: nop", trace-cmd's "cpus=4"), skipped. */
  readonly headerLines: number;
  /** Events the ring buffer dropped ("CPU:1 [LOST 12 EVENTS]"), all CPUs together. */
  readonly lostEvents: number;
  readonly clearIqeInserted: number;
  /** Why the replay will change no PASID cache, when the trace holds no pc_inv. */
  readonly missingPasidCache?: string;
}

/** Said in every import summary: the replay's queue sees what was traced, nothing more. */
export const UNTRACED_WAIT_NOTE =
  'Linux appends an invalidation-wait descriptor (inv_wait) to every qi_submit_sync batch and does not trace it: none was added';

export type KernelTraceImportResult =
  | {
      readonly ok: true;
      readonly steps: readonly ScenarioStep[];
      /** The base with the steps appended (the base file's authoring form kept, with a file). */
      readonly scenario: Scenario;
      readonly file?: ScenarioFileJson;
      readonly stats: KernelTraceImportStats;
      /** Lines that are no trace event (their numbers and why). */
      readonly unreadable: readonly ImportIssue[];
      readonly warnings: readonly ImportIssue[];
      /** The scenario parser's warnings about the resulting file. */
      readonly fileWarnings: readonly string[];
    }
  | DescriptorLogFailure;

interface KernelLogged extends LoggedDescriptor {
  readonly iommu: string;
}

interface TraceContent {
  readonly descs: readonly KernelLogged[];
  readonly other: Readonly<Record<string, number>>;
  readonly otherCount: number;
  readonly headerLines: number;
  readonly lostEvents: number;
  readonly unreadable: readonly ImportIssue[];
  readonly warnings: readonly ImportIssue[];
}

const HEX = '0x([0-9a-fA-F]{1,16})';
const QI_TEXT_RE = new RegExp(`^(\\S+) (\\S+): ${HEX} ${HEX} ${HEX} ${HEX}$`);
const TYPE_CODES = new Map(
  Object.entries(KERNEL_DESC_TYPE_NAMES).map(([code, name]) => [name, Number(code)] as const),
);

function shorten(s: string): string {
  return JSON.stringify(s.length > 70 ? `${s.slice(0, 67)}...` : s);
}

/** The type code a printed type stands for: a kernel name, or the number __print_symbolic wrote. */
function printedTypeCode(type: string): number | undefined {
  const named = TYPE_CODES.get(type);
  if (named !== undefined) return named;
  if (/^(?:0x[0-9a-fA-F]+|\d+)$/.test(type)) return Number(type);
  return undefined;
}

function readTrace(
  text: string,
): { ok: true; trace: TraceContent } | { ok: false; errors: ImportIssue[] } {
  const errors: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const unreadable: ImportIssue[] = [];
  const other: Record<string, number> = {};
  let otherCount = 0;
  let headerLines = 0;
  let lostEvents = 0;
  const descs: KernelLogged[] = [];
  textLines(text).forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    if (isFtraceHeaderLine(raw)) {
      headerLines++;
      return;
    }
    const lost = readLostEvents(raw);
    if (lost) {
      lostEvents += lost.lost;
      warnings.push({
        line: lineNo,
        message: `the trace lost ${lost.lost} event${lost.lost === 1 ? '' : 's'} on CPU ${lost.cpu} (its ring buffer was full): descriptors queued then are missing from the replay; record with a larger buffer (trace-cmd record -b 20000)`,
      });
      return;
    }
    const ev = readFtraceLine(raw);
    if (!ev) {
      unreadable.push({ line: lineNo, message: `not a trace event: ${shorten(raw.trim())}` });
      return;
    }
    if (ev.event !== QI_SUBMIT_EVENT) {
      other[ev.event] = (other[ev.event] ?? 0) + 1;
      otherCount++;
      return;
    }
    const m = QI_TEXT_RE.exec(ev.text.replace(/\s+/g, ' '));
    if (!m) {
      errors.push({
        line: lineNo,
        message: `a qi_submit event whose text is not "<type> <iommu>: 0x<qw0> 0x<qw1> 0x<qw2> 0x<qw3>": ${shorten(ev.text)}`,
      });
      return;
    }
    const [, type = '', iommu = '', ...words] = m;
    const desc = words.map((w) => BigInt(`0x${w}`)) as [bigint, bigint, bigint, bigint];
    const printed = printedTypeCode(type);
    // The kernel prints the name of qw0 & 0xf; the model's type code adds bits 11:9.
    const low = Number(desc[0] & 0xfn);
    if (printed === undefined) {
      warnings.push({
        line: lineNo,
        message: `"${type}" is no descriptor type name the kernel prints: the words are imported as traced (qw0 ${hexAddr(desc[0])} encodes type ${descriptorTypeCode(desc[0])})`,
      });
    } else if (printed !== low) {
      warnings.push({
        line: lineNo,
        message: `the event says "${type}" but qw0 ${hexAddr(desc[0])} encodes type ${low}${KERNEL_DESC_TYPE_NAMES[low] ? ` ("${KERNEL_DESC_TYPE_NAMES[low]}")` : ''}: the words are imported as traced`,
      });
    }
    const who =
      ev.task !== undefined
        ? `, ${ev.task}-${ev.pid ?? 0} on CPU ${ev.cpu ?? 0} at ${ev.timestamp ?? '?'} s`
        : '';
    descs.push({
      line: lineNo,
      desc,
      iommu,
      note: `kernel qi_submit line ${lineNo}: ${type} ${iommu}${who}`,
    });
  });
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    trace: { descs, other, otherCount, headerLines, lostEvents, unreadable, warnings },
  };
}

function unitsOf(descs: readonly KernelLogged[]): { name: string; descriptors: number }[] {
  const counts = new Map<string, number>();
  for (const d of descs) counts.set(d.iommu, (counts.get(d.iommu) ?? 0) + 1);
  return [...counts].map(([name, descriptors]) => ({ name, descriptors }));
}

/**
 * Appends the trace's descriptors (of one IOMMU unit) to a base scenario: a loaded Scenario, or a
 * scenario *file*, whose authoring form is then kept (tables the resolver places stay clear of
 * what the new steps write, as for any file).
 */
export function importKernelQiTrace(
  text: string,
  base: { readonly scenario: Scenario } | { readonly file: unknown },
  options: KernelTraceImportOptions = {},
): KernelTraceImportResult {
  try {
    return importTrace(text, base, options);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ message: `internal error while importing the trace: ${msg}` }] };
  }
}

function importTrace(
  text: string,
  base: { readonly scenario: Scenario } | { readonly file: unknown },
  options: KernelTraceImportOptions,
): KernelTraceImportResult {
  let scenario: Scenario;
  if ('file' in base) {
    const parsed = parseScenario(base.file);
    if (!parsed.ok) return { ok: false, errors: [], baseErrors: parsed.errors };
    scenario = parsed.scenario;
  } else {
    scenario = base.scenario;
  }
  const read = readTrace(text);
  if (!read.ok) return read;
  const { trace } = read;
  const units = unitsOf(trace.descs);
  const chosen = options.iommu ?? units[0]?.name;
  if (options.iommu !== undefined && !units.some((u) => u.name === options.iommu)) {
    return {
      ok: false,
      errors: [
        {
          message: `no qi_submit event of IOMMU "${options.iommu}" in the trace${units.length ? ` (it has ${units.map((u) => u.name).join(', ')})` : ''}`,
        },
      ],
    };
  }
  const descs = trace.descs.filter((d) => d.iommu === chosen);
  const { steps, clearIqeInserted } = descriptorSteps(descs, scenario);
  const lacking = missingPasidCacheWarning(descs, 'kernel');
  const stats: KernelTraceImportStats = {
    descriptors: descs.length,
    iommu: chosen ?? '',
    units,
    otherEvents: trace.other,
    otherEventCount: trace.otherCount,
    headerLines: trace.headerLines,
    lostEvents: trace.lostEvents,
    clearIqeInserted,
    ...(lacking !== undefined ? { missingPasidCache: lacking } : {}),
  };
  const common = { ok: true as const, steps, stats, unreadable: trace.unreadable };
  if ('file' in base) {
    const appended = appendStepsToFile(base.file, steps);
    if (!appended.ok) return { ok: false, errors: [], baseErrors: appended.baseErrors };
    return {
      ...common,
      scenario: appended.scenario,
      file: appended.file,
      warnings: [...trace.warnings, ...statusWriteCollisions(appended.before, descs)],
      fileWarnings: appended.fileWarnings,
    };
  }
  return {
    ...common,
    scenario: { ...scenario, steps: [...scenario.steps, ...steps] },
    warnings: [...trace.warnings, ...statusWriteCollisions(scenario, descs)],
    fileWarnings: [],
  };
}

// Words for an import: what it made, what it read off the input (its guesses) and what it warns
// about. The import dialog shows them before the person accepts; the notice after it keeps them.

import { describeLines, formatImportIssue, type Scenario } from '../model/core.ts';
import type { EngineError, ImportReport } from '../worker/protocol.ts';
import { IMPORT_KIND_LABELS, type ImportKind } from './importKind.ts';

export interface ImportDescription {
  /** One line: what the import makes. */
  readonly headline: string;
  /** What the importer read off the input or chose, each with its reason. */
  readonly guesses: readonly string[];
  /** Warnings, each with its line ("line 12: …") when it is about one. */
  readonly warnings: readonly string[];
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function stepRange(first: number, count: number): string {
  // The app numbers steps from 1.
  return count === 1 ? `step ${first + 1}` : `steps ${first + 1}–${first + count}`;
}

export function describeReport(report: ImportReport | undefined, scenario: Scenario): string[] {
  if (!report) return [];
  switch (report.kind) {
    case 'debugfs': {
      const s = report.summary;
      const out = [
        `Every device is ${report.backend === 'emulated' ? 'an emulated device' : `a passthrough device (${report.backend})`}, as chosen.`,
        ...s.inferred.map((line) => `${line}.`),
        ...(s.scalable
          ? [
              'Directory entries and PASID tables are not in the dump: one PASID table was placed per used 64-PASID chunk.',
              'One step was added, a global PASID-cache invalidation, so that running the scenario fills the caches.',
            ]
          : []),
      ];
      if (report.iommus.length > 1) {
        out.push(`The dump holds ${report.iommus.join(', ')}; ${s.iommuName} is imported.`);
      }
      return out;
    }
    case 'kernel-trace': {
      const st = report.stats;
      const others = st.units.filter((u) => u.name !== st.iommu);
      const out = [
        `Each qi_submit event is one descriptor with all four words, appended as ${stepRange(report.first, report.count)} of “${scenario.title ?? 'the scenario'}”.`,
        'Linux appends an invalidation-wait descriptor to every batch and does not trace it: none was added.',
      ];
      if (others.length) {
        out.push(
          `${st.iommu} was imported; the trace also has ${others.map((u) => `${u.name} (${plural(u.descriptors, 'descriptor', 'descriptors')})`).join(', ')}: choose under “IOMMU”.`,
        );
      }
      if (st.clearIqeInserted) {
        out.push(
          `${plural(st.clearIqeInserted, 'clear-IQE step was', 'clear-IQE steps were')} added after descriptors QEMU rejects, since the trace shows the guest going on.`,
        );
      }
      if (st.otherEventCount) {
        out.push(
          `${plural(st.otherEventCount, 'other trace event', 'other trace events')} skipped.`,
        );
      }
      if (report.unreadable.length) {
        out.push(
          `${plural(report.unreadable.length, 'line is', 'lines are')} no trace event and ${report.unreadable.length === 1 ? 'was' : 'were'} skipped (${describeLines(report.unreadable.map((u) => u.line ?? 0))}).`,
        );
      }
      return out;
    }
    case 'qemu-trace': {
      const st = report.stats;
      const others = Object.entries(st.otherEvents)
        .sort(([, a], [, b]) => b - a)
        .slice(0, 4)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ');
      const out = [
        `Each vtd_inv_desc event is one descriptor (val[0] = low, val[1] = high, the rest 0), appended as ${stepRange(report.first, report.count)} of “${scenario.title ?? 'the scenario'}”.`,
      ];
      if (st.clearIqeInserted) {
        out.push(
          `${plural(st.clearIqeInserted, 'clear-IQE step was', 'clear-IQE steps were')} added after descriptors QEMU rejects, since the log shows QEMU going on.`,
        );
      }
      if (st.otherEventCount) {
        out.push(
          `${plural(st.otherEventCount, 'other trace event', 'other trace events')} skipped (${others}${Object.keys(st.otherEvents).length > 4 ? ', …' : ''}).`,
        );
      }
      if (report.unreadable.length) {
        out.push(
          `${plural(report.unreadable.length, 'line is', 'lines are')} no trace event and ${report.unreadable.length === 1 ? 'was' : 'were'} skipped (${describeLines(report.unreadable.map((u) => u.line ?? 0))}).`,
        );
      }
      if (report.authoringForm) {
        out.push(
          'The PASID tables of the imported dump were placed clear of the pages the wait descriptors write their status to.',
        );
      }
      return out;
    }
  }
}

export function describeImport(
  kind: ImportKind,
  name: string,
  result: {
    readonly scenario: Scenario;
    readonly report?: ImportReport;
    readonly warnings: readonly { readonly line?: number; readonly message: string }[];
    readonly fileWarnings: readonly string[];
  },
): ImportDescription {
  const { scenario, report } = result;
  let headline: string;
  if (report?.kind === 'debugfs') {
    const s = report.summary;
    const what = s.scalable
      ? plural(s.pasidEntries, 'PASID entry', 'PASID entries')
      : 'legacy mode (no PASID entries)';
    headline = `${s.iommuName}: ${plural(s.devices, 'device', 'devices')} (${report.backend}), ${what}`;
  } else if (report?.kind === 'kernel-trace') {
    headline = `${plural(report.stats.descriptors, 'qi_submit descriptor', 'qi_submit descriptors')} of ${report.stats.iommu} → ${stepRange(report.first, report.count)}`;
  } else if (report?.kind === 'qemu-trace') {
    headline = `${plural(report.stats.descriptors, 'descriptor', 'descriptors')} → ${stepRange(report.first, report.count)}`;
  } else {
    headline = `${IMPORT_KIND_LABELS[kind]}: “${scenario.title ?? name}”, ${plural(scenario.devices.length, 'device', 'devices')}, ${plural(scenario.steps.length, 'step', 'steps')}`;
  }
  const missing =
    report?.kind === 'qemu-trace' || report?.kind === 'kernel-trace'
      ? report.stats.missingPasidCache
      : undefined;
  return {
    headline,
    guesses: describeReport(report, scenario),
    warnings: [
      ...(missing !== undefined ? [missing] : []),
      ...result.warnings.map(formatImportIssue),
      ...result.fileWarnings,
    ],
  };
}

/** An engine error's problems as lines of text ("line 3: …", "$.devices[0].bdf: …"). */
export function errorLines(error: EngineError): string[] {
  if (error.lines?.length) return error.lines.map(formatImportIssue);
  if (error.issues?.length) return error.issues.map((i) => `${i.path || '(file)'}: ${i.message}`);
  return [];
}

/**
 * The detail line of a refused load. The notice lists the problems under it, so it names how
 * many there are instead of repeating the first one (error.message is the first problem).
 */
export function refusalDetail(error: EngineError): string {
  const listed = (error.issues?.length ?? 0) + (error.lines?.length ?? 0);
  const unchanged = 'Your current scenario is unchanged.';
  if (listed === 0) return `${error.message} ${unchanged}`;
  return listed === 1 ? unchanged : `${unchanged} ${listed} problems:`;
}

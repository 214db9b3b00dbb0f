// The importers and the debugfs view behind the worker API: the model's functions, their results
// shaped for the page (structured-clone data, every problem with its line) and never a throw.

import {
  appendQemuTraceToFile,
  formatDmarTranslationView,
  formatImportIssue,
  importDebugfsDump,
  importKernelQiTrace,
  importQemuTraceLog,
  isKernelQiTrace,
  walkDmarTranslation,
  type ImportIssue,
} from '../model/index.ts';
import type {
  DebugfsDump,
  DebugfsDumpRequest,
  DebugfsImportRequest,
  EngineError,
  EngineResult,
  ImportedScenario,
  TraceImportRequest,
} from './protocol.ts';

/** One error value for importer problems: the first one in words, all of them with lines. */
export function importError(what: string, issues: readonly ImportIssue[]): EngineError {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return {
    kind: 'invalid-import',
    message: `${what}: ${first ? formatImportIssue(first) : 'nothing to import'}${more}`,
    lines: issues,
  };
}

function failure(e: unknown): EngineResult<never> {
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, error: { kind: 'model-error', message: `The import failed: ${message}` } };
}

/** The IOMMU names a dump's text holds, in order (enabled or not). */
export function dumpIommuNames(text: string): string[] {
  const names: string[] = [];
  const re = /^(?:IOMMU (\S+): Root Table Address:|DMA Remapping is not enabled on (\S+)\s*$)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = m[1] ?? m[2];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

export function importDebugfs(request: DebugfsImportRequest): EngineResult<ImportedScenario> {
  try {
    const o = request.options ?? {};
    const result = importDebugfsDump(request.text, {
      ...(o.backend !== undefined ? { backend: o.backend } : {}),
      ...(o.fsts !== undefined ? { fsts: o.fsts } : {}),
      ...(o.iommu !== undefined ? { iommu: o.iommu } : {}),
      ...(o.variant !== undefined ? { variant: o.variant } : {}),
    });
    if (!result.ok) {
      return {
        ok: false,
        error: importError('This debugfs dump cannot be imported', result.errors),
      };
    }
    return {
      ok: true,
      value: {
        scenario: result.scenario,
        file: result.file,
        report: {
          kind: 'debugfs',
          summary: result.summary,
          backend: o.backend ?? 'emulated',
          fsts: result.scenario.iommu.fsts,
          fstsChosen: o.fsts !== undefined,
          iommus: dumpIommuNames(request.text),
        },
        warnings: result.warnings,
        fileWarnings: [],
      },
    };
  } catch (e) {
    return failure(e);
  }
}

function nonEmptyLines(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line.trim() !== '') n++;
  return n;
}

/** A kernel qi_submit trace, appended to the base file (authoring form) or the loaded base. */
function importKernelTrace(request: TraceImportRequest): EngineResult<ImportedScenario> {
  const { text, base, baseFile } = request;
  const options = request.iommu !== undefined ? { iommu: request.iommu } : {};
  let r = importKernelQiTrace(
    text,
    baseFile !== undefined ? { file: baseFile } : { scenario: base },
    options,
  );
  // A kept authoring form that no longer loads (cannot happen for a file the app made).
  if (!r.ok && r.baseErrors?.length) r = importKernelQiTrace(text, { scenario: base }, options);
  if (!r.ok) return { ok: false, error: importError('This kernel trace cannot be read', r.errors) };
  if (r.stats.descriptors === 0) {
    return {
      ok: false,
      error: {
        kind: 'invalid-import',
        message: `No qi_submit event in ${nonEmptyLines(text)} lines: record it in the guest with trace-cmd record -e intel_iommu:qi_submit.`,
        lines: [],
      },
    };
  }
  return {
    ok: true,
    value: {
      scenario: r.scenario,
      ...(r.file ? { file: r.file } : {}),
      report: {
        kind: 'kernel-trace',
        stats: r.stats,
        unreadable: r.unreadable,
        first: base.steps.length,
        count: r.steps.length,
      },
      warnings: r.warnings,
      fileWarnings: r.fileWarnings,
    },
  };
}

export function importQemuTrace(request: TraceImportRequest): EngineResult<ImportedScenario> {
  try {
    if (isKernelQiTrace(request.text)) return importKernelTrace(request);
    const { text, base, baseFile } = request;
    const first = base.steps.length;
    // With the base's authoring form, the file route (tables re-placed clear of status writes);
    // without it, the loaded scenario as it is.
    if (baseFile !== undefined) {
      const r = appendQemuTraceToFile(text, baseFile);
      if (!r.ok) {
        if (r.baseErrors?.length) {
          // The kept authoring form no longer loads (cannot happen for a file the app made):
          // fall back to the loaded scenario.
          return importQemuTrace({ text, base });
        }
        return { ok: false, error: importError('This trace log cannot be read', r.errors) };
      }
      if (r.stats.descriptors === 0) return noDescriptors(text, r.stats.otherEventCount);
      return {
        ok: true,
        value: {
          scenario: r.scenario,
          file: r.file,
          report: {
            kind: 'qemu-trace',
            stats: r.stats,
            unreadable: r.unreadable,
            first,
            count: r.steps.length,
            authoringForm: true,
          },
          warnings: r.warnings,
          fileWarnings: r.fileWarnings,
        },
      };
    }
    const r = importQemuTraceLog(text, base);
    if (!r.ok) return { ok: false, error: importError('This trace log cannot be read', r.errors) };
    if (r.stats.descriptors === 0) return noDescriptors(text, r.stats.otherEventCount);
    return {
      ok: true,
      value: {
        scenario: r.scenario ?? { ...base, steps: [...base.steps, ...r.steps] },
        report: {
          kind: 'qemu-trace',
          stats: r.stats,
          unreadable: r.unreadable,
          first,
          count: r.steps.length,
          authoringForm: false,
        },
        warnings: r.warnings,
        fileWarnings: [],
      },
    };
  } catch (e) {
    return failure(e);
  }
}

function noDescriptors(text: string, otherEvents: number): EngineResult<never> {
  return {
    ok: false,
    error: {
      kind: 'invalid-import',
      message: `No vtd_inv_desc event in ${nonEmptyLines(text)} lines (${otherEvents} other trace events): start QEMU with -trace 'vtd_inv_desc' (or -trace 'vtd_*').`,
      lines: [],
    },
  };
}

export function debugfsDump(request: DebugfsDumpRequest): EngineResult<DebugfsDump> {
  try {
    const { scenario } = request;
    const step = Math.min(
      Math.max(0, Math.trunc(request.step ?? scenario.steps.length)),
      scenario.steps.length,
    );
    const view = walkDmarTranslation(scenario, { step });
    return {
      ok: true,
      value: {
        text: formatDmarTranslationView(view),
        enabled: view.enabled,
        scalable: view.scalable,
        rows: view.rows.length,
        devices: new Set(view.rows.map((r) => r.bdf)).size,
        pages: view.pages,
        step,
      },
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      error: { kind: 'model-error', message: `The debugfs walk failed: ${message}` },
    };
  }
}

// Importing evidence from a real system: a Linux dmar_translation_struct dump (a new scenario) or a
// QEMU trace log (its descriptors appended to the current scenario), beside the scenario files the
// scenario slice loads. The importers run in the engine; a preview is computed first (the dialog
// shows it), and only accepting it replaces the scenario, as one undoable edit. Any failure leaves
// the scenario as it is.

import type { Scenario, ScenarioFileJson } from '../../model/index.ts';
import { inlineScenarioFragment } from '../../model/core.ts';
import { SHARE_LINK_PACKED } from '../../shared/packing.ts';
import type {
  DebugfsImportChoices,
  EngineError,
  ImportReport,
  ImportedScenario,
} from '../../worker/protocol.ts';
import { IMPORT_KIND_LABELS, detectImportKind, type ImportKind } from '../importKind.ts';
import { describeImport, errorLines, refusalDetail } from '../importReport.ts';
import { markEdited } from '../persistence.ts';
import type { SliceCreator, StoreServices } from './types.ts';

/** Text waiting in the import dialog (a dropped file, a picked one, or nothing yet). */
export interface ImportDraft {
  readonly text: string;
  /** The file's name, or "pasted text". */
  readonly name: string;
}

export interface ImportRequest {
  readonly text: string;
  readonly name: string;
  readonly kind: ImportKind;
  /** Debugfs dumps only. */
  readonly debugfs?: DebugfsImportChoices;
  /** Kernel qi_submit traces only: which IOMMU unit (default the first the trace names). */
  readonly iommu?: string;
}

interface PreviewBase {
  readonly request: ImportRequest;
  /** The scenario when the preview was made (a trace log is appended to it). */
  readonly base: Scenario;
}

export type ImportPreview = PreviewBase &
  (
    | {
        readonly ok: true;
        readonly scenario: Scenario;
        readonly file?: ScenarioFileJson;
        readonly report?: ImportReport;
        readonly warnings: ImportedScenario['warnings'];
        readonly fileWarnings: readonly string[];
      }
    | { readonly ok: false; readonly error: EngineError }
  );

export interface ImportSlice {
  /** The import dialog's text when it is open, else undefined. */
  readonly importDialog: ImportDraft | undefined;
  readonly openImportDialog: (draft?: ImportDraft) => void;
  readonly closeImportDialog: () => void;
  /** Runs the importer on the text without touching the scenario. */
  readonly previewImport: (request: ImportRequest) => Promise<ImportPreview>;
  /** Adopts a successful preview (undoable). False when it failed or is out of date (a trace
   * previewed against a scenario that has changed since). */
  readonly applyImport: (preview: ImportPreview) => boolean;
  /** Preview and adopt in one go; a failure becomes a notice. */
  readonly importText: (request: ImportRequest) => Promise<boolean>;
  /** A picked or dropped file: a scenario file loads at once (as it always did); a dump or a
   * trace log opens the import dialog, where its options and preview are. */
  readonly importFile: (text: string, name: string) => Promise<'loaded' | 'dialog' | 'refused'>;
}

const IMPORT_TOPIC = 'import';

/** Kinds whose descriptors are appended to the current scenario. */
export function isAppend(kind: ImportKind): boolean {
  return kind === 'qemu-trace' || kind === 'kernel-trace';
}

export const createImportSlice =
  (services: StoreServices): SliceCreator<ImportSlice> =>
  (set, get) => {
    // The authoring form of scenarios an import made (by identity, so undo/redo keep it): a trace
    // log appended to a just-imported dump goes through the file, as the CLI's --base does.
    const authoring = new WeakMap<Scenario, ScenarioFileJson>();

    const preview = async (request: ImportRequest): Promise<ImportPreview> => {
      const base = get().scenario;
      const common = { request, base };
      switch (request.kind) {
        case 'scenario': {
          // A report's inline block or a share link carries the scenario packed.
          const fragment = inlineScenarioFragment(request.text);
          const parsed =
            fragment !== undefined && !request.text.trimStart().startsWith('{')
              ? await services.engine.parsePackedScenario(
                  `${SHARE_LINK_PACKED}${fragment.replace(/^scenario=\d+\./, '')}`,
                )
              : await services.engine.parseScenarioText(request.text);
          if (!parsed.ok) return { ...common, ok: false, error: parsed.error };
          return {
            ...common,
            ok: true,
            scenario: parsed.value.scenario,
            warnings: [],
            fileWarnings: parsed.value.warnings,
          };
        }
        case 'debugfs': {
          const r = await services.engine.importDebugfs({
            text: request.text,
            options: { variant: base.variant, ...request.debugfs },
          });
          return r.ok
            ? { ...common, ok: true, ...r.value }
            : { ...common, ok: false, error: r.error };
        }
        case 'qemu-trace':
        case 'kernel-trace': {
          const baseFile = authoring.get(base);
          const r = await services.engine.importQemuTrace({
            text: request.text,
            base,
            ...(baseFile ? { baseFile } : {}),
            ...(request.iommu !== undefined ? { iommu: request.iommu } : {}),
          });
          return r.ok
            ? { ...common, ok: true, ...r.value }
            : { ...common, ok: false, error: r.error };
        }
      }
    };

    const apply = (p: ImportPreview): boolean => {
      if (!p.ok) return false;
      const { request } = p;
      const current = get().scenario;
      if (isAppend(request.kind) && p.base !== current) return false;
      if (p.file) authoring.set(p.scenario, p.file);
      if (isAppend(request.kind)) {
        set({ scenario: p.scenario, scenarioSource: markEdited(get().scenarioSource) });
      } else {
        set({
          scenario: p.scenario,
          scenarioSource: { kind: 'file', name: request.name, edited: false },
          selection: undefined,
          fold: {},
        });
      }
      const words = describeImport(request.kind, request.name, p);
      get().clearNotices('load');
      get().clearNotices('load-warnings');
      get().pushNotice({
        tone: 'info',
        topic: IMPORT_TOPIC,
        title: isAppend(request.kind)
          ? `Appended “${request.name}” (${IMPORT_KIND_LABELS[request.kind]}): ${words.headline}.`
          : `Imported “${request.name}”: ${words.headline}.`,
        detail:
          request.kind === 'scenario'
            ? 'Undo (Ctrl+Z) brings back the scenario you had.'
            : `What it read off the text or chose (${words.guesses.length}); Undo (Ctrl+Z) brings back the scenario you had`,
        notes: words.guesses,
      });
      if (words.warnings.length) {
        get().pushNotice({
          tone: 'warning',
          topic: 'load-warnings',
          title: `The import has ${words.warnings.length === 1 ? 'a warning' : `${words.warnings.length} warnings`}`,
          notes: words.warnings,
        });
      }
      return true;
    };

    return {
      importDialog: undefined,
      openImportDialog: (draft) =>
        set({ importDialog: draft ?? { text: '', name: 'pasted text' } }),
      closeImportDialog: () => set({ importDialog: undefined }),
      previewImport: (request) => get().trackLoad(preview(request)),
      applyImport: apply,
      importText: (request) =>
        get().trackLoad(
          (async () => {
            let p = await preview(request);
            // A trace previewed against a scenario that changed meanwhile: once more, on the new one.
            if (p.ok && isAppend(request.kind) && p.base !== get().scenario) {
              p = await preview(request);
            }
            if (!p.ok) {
              get().pushNotice({
                tone: 'error',
                topic: 'load',
                title: `Could not import “${request.name}”`,
                detail: refusalDetail(p.error),
                ...(p.error.issues ? { issues: p.error.issues } : {}),
                ...(p.error.lines?.length ? { notes: errorLines(p.error) } : {}),
              });
              return false;
            }
            return apply(p);
          })(),
        ),
      importFile: async (text, name) => {
        const kind = detectImportKind(text);
        if (kind === 'debugfs' || kind === 'qemu-trace' || kind === 'kernel-trace') {
          set({ importDialog: { text, name } });
          return 'dialog';
        }
        // Scenario files (and anything unrecognised, which the scenario parser explains) load as
        // they always did.
        if (!(await get().importScenarioText(text, name))) return 'refused';
        set({ importDialog: undefined }); // a scenario file dropped on an open dialog replaces it
        return 'loaded';
      },
    };
  };

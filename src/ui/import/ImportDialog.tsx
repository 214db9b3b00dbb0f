// Import from text: a scenario file, a Linux dmar_translation_struct dump or a QEMU trace log,
// pasted or taken from a file (a dropped or picked dump or log opens here too). The kind is told by
// content; the dump's options (backend, fsts, which IOMMU) are here; a preview says what the import
// will make, what it read off the text and what it warns about, and every error names its line
// (click it to select that line). Nothing changes until the person accepts; Undo takes it back.

import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { DeviceBackend } from '../../model/index.ts';
import {
  type DebugfsImportChoices,
  describeImport,
  detectImportKind,
  IMPORT_KIND_LABELS,
  type ImportDraft,
  type ImportKind,
  type ImportPreview,
  type ImportRequest,
  useAppStore,
} from '../../state/index.ts';
import { lineRange, useModalDialog } from './useModalDialog.ts';
import './import.css';

type ReadAs = 'auto' | ImportKind;
type FstsChoice = 'auto' | 'on' | 'off';

const BACKENDS: readonly { value: DeviceBackend; label: string; title: string }[] = [
  {
    value: 'iommufd',
    label: 'iommufd (passthrough)',
    title: 'Passthrough over iommufd: the accel PASID cache, and the emulated one',
  },
  {
    value: 'vfio-legacy',
    label: 'vfio-legacy (passthrough)',
    title: 'Passthrough without iommufd: no accel PASID cache (QEMU refuses it with fsts)',
  },
  {
    value: 'emulated',
    label: 'emulated (QEMU device)',
    title: 'A device QEMU emulates: the emulated PASID cache of each of its address spaces',
  },
];

const PREVIEW_DELAY_MS = 200;

export function ImportDialog() {
  const draft = useAppStore((s) => s.importDialog);
  const close = useAppStore((s) => s.closeImportDialog);
  const ref = useRef<HTMLDialogElement>(null);
  useModalDialog(ref, draft !== undefined);
  return (
    <dialog
      ref={ref}
      className="import-dialog"
      aria-labelledby="import-title"
      onClose={() => close()}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      {/* Mounted only while open, so every opening starts from its own draft. */}
      {draft ? <ImportForm key={draftKey(draft)} draft={draft} onDone={close} /> : null}
    </dialog>
  );
}

let drafts = 0;
const draftKeys = new WeakMap<ImportDraft, number>();
function draftKey(d: ImportDraft): number {
  let k = draftKeys.get(d);
  if (k === undefined) {
    k = ++drafts;
    draftKeys.set(d, k);
  }
  return k;
}

function ImportForm({ draft, onDone }: { draft: ImportDraft; onDone: () => void }) {
  const scenario = useAppStore((s) => s.scenario);
  const previewImport = useAppStore((s) => s.previewImport);
  const applyImport = useAppStore((s) => s.applyImport);
  const [text, setText] = useState(draft.text);
  const [name, setName] = useState(draft.name);
  const [readAs, setReadAs] = useState<ReadAs>('auto');
  const [backend, setBackend] = useState<DeviceBackend>('iommufd');
  const [fsts, setFsts] = useState<FstsChoice>('auto');
  const [iommu, setIommu] = useState('');
  const [unit, setUnit] = useState('');
  const [preview, setPreview] = useState<ImportPreview | undefined>(undefined);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const firstPreview = useRef(true);
  const fileRef = useRef<HTMLInputElement>(null);
  const ids = useId();

  const detected = useMemo(() => detectImportKind(text), [text]);
  const kind = readAs === 'auto' ? detected : readAs;
  const request = useMemo((): ImportRequest | undefined => {
    if (kind === undefined || text.trim() === '') return undefined;
    const debugfs: DebugfsImportChoices = {
      backend,
      ...(fsts !== 'auto' ? { fsts: fsts === 'on' } : {}),
      ...(iommu ? { iommu } : {}),
    };
    return {
      text,
      name,
      kind,
      ...(kind === 'debugfs' ? { debugfs } : {}),
      ...(kind === 'kernel-trace' && unit ? { iommu: unit } : {}),
    };
  }, [text, name, kind, backend, fsts, iommu, unit]);

  // The preview follows the inputs (debounced while typing); a newer one replaces an older one.
  useEffect(() => {
    if (!request) return undefined;
    let live = true;
    // The first preview (a dropped file) at once; later ones once the typing pauses.
    const delay = firstPreview.current ? 0 : PREVIEW_DELAY_MS;
    firstPreview.current = false;
    const timer = setTimeout(() => {
      void previewImport(request).then((p) => {
        if (live) setPreview(p);
      });
    }, delay);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [request, scenario, previewImport]);

  // A preview belongs to one request; until the newest one is answered, the form is busy.
  const current = preview !== undefined && preview.request === request;
  const busy = request !== undefined && !current;
  const canApply = current && preview.ok;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!canApply) return;
    if (applyImport(preview)) onDone();
  };

  const selectLine = (line: number): void => {
    const t = textRef.current;
    if (!t) return;
    const { start, end } = lineRange(text, line);
    t.focus();
    t.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(t).lineHeight) || 16;
    t.scrollTop = Math.max(0, (line - 3) * lineHeight);
  };

  const iommus =
    preview?.ok && preview.report?.kind === 'debugfs' ? preview.report.iommus : undefined;
  const units =
    preview?.ok && preview.report?.kind === 'kernel-trace'
      ? preview.report.stats.units.map((u) => u.name)
      : undefined;
  const applyLabel =
    kind === 'qemu-trace' || kind === 'kernel-trace'
      ? 'Append to scenario'
      : kind === 'debugfs'
        ? 'Import dump'
        : kind === 'scenario'
          ? 'Load scenario'
          : 'Import';
  const lines = text.trim() === '' ? 0 : text.replace(/\n+$/, '').split('\n').length;

  return (
    <form className="import-form" onSubmit={submit}>
      <header className="import-head">
        <h2 id="import-title">Import</h2>
        <p className="hint">
          A PASIDscope scenario file, a guest’s <code>dmar_translation_struct</code> (from{' '}
          <code>/sys/kernel/debug/iommu/intel/</code>), a QEMU log taken with{' '}
          <code>-trace vtd_inv_desc</code>, the guest kernel’s <code>intel_iommu:qi_submit</code>{' '}
          trace, or a PASIDscope report’s scenario block. Paste it below or choose a file.
        </p>
      </header>

      <div className="import-source">
        <label htmlFor={`${ids}-text`}>Text to import</label>
        <span className="hint">
          {name}
          {lines ? ` · ${lines.toLocaleString('en-US')} line${lines === 1 ? '' : 's'}` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="btn small" onClick={() => fileRef.current?.click()}>
          Choose file…
        </button>
        <input
          ref={fileRef}
          type="file"
          hidden
          aria-hidden="true"
          tabIndex={-1}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) {
              void file.text().then((t) => {
                setText(t);
                setName(file.name);
              });
            }
          }}
        />
      </div>
      <textarea
        ref={textRef}
        id={`${ids}-text`}
        className="import-text"
        value={text}
        spellCheck={false}
        wrap="off"
        rows={9}
        placeholder={
          'IOMMU dmar0: Root Table Address: 0x1000\nB.D.F\tRoot_entry\t…\n\n' +
          '— or —\n\n2817@1764080416.302340:vtd_inv_desc invalidate desc type context-cache high 0x0 low 0x11\n\n' +
          '— or —\n\n{ "format": "pasidscope-scenario", … }'
        }
        onChange={(e) => setText(e.currentTarget.value)}
      />

      <div className="import-options">
        <label>
          <span>Read as</span>
          <select
            aria-label="Read as"
            value={readAs}
            onChange={(e) => setReadAs(e.currentTarget.value as ReadAs)}
          >
            <option value="auto">
              {detected ? `Detected: ${IMPORT_KIND_LABELS[detected]}` : 'Detect from the text'}
            </option>
            <option value="scenario">{IMPORT_KIND_LABELS.scenario}</option>
            <option value="debugfs">{IMPORT_KIND_LABELS.debugfs}</option>
            <option value="qemu-trace">{IMPORT_KIND_LABELS['qemu-trace']}</option>
            <option value="kernel-trace">{IMPORT_KIND_LABELS['kernel-trace']}</option>
          </select>
        </label>
        {kind === 'debugfs' ? (
          <>
            <label>
              <span>Devices</span>
              <select
                aria-label="Device backend"
                value={backend}
                onChange={(e) => setBackend(e.currentTarget.value as DeviceBackend)}
              >
                {BACKENDS.map((b) => (
                  <option key={b.value} value={b.value} title={b.title}>
                    {b.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>fsts</span>
              <select
                aria-label="fsts"
                value={fsts}
                onChange={(e) => setFsts(e.currentTarget.value as FstsChoice)}
              >
                <option value="auto">read off the entries</option>
                <option value="on">on</option>
                <option value="off">off</option>
              </select>
            </label>
            {iommus && iommus.length > 1 ? (
              <label>
                <span>IOMMU</span>
                <select
                  aria-label="IOMMU"
                  value={iommu}
                  onChange={(e) => setIommu(e.currentTarget.value)}
                >
                  <option value="">first with remapping on</option>
                  {iommus.map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </>
        ) : null}
        {kind === 'kernel-trace' && units && units.length > 1 ? (
          <label>
            <span>IOMMU</span>
            <select
              aria-label="IOMMU unit"
              value={unit}
              onChange={(e) => setUnit(e.currentTarget.value)}
            >
              <option value="">first in the trace</option>
              {units.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {kind === 'qemu-trace' || kind === 'kernel-trace' ? (
          <p className="hint import-base">
            The log’s descriptors are appended to the current scenario, “
            {scenario.title ?? 'Untitled scenario'}” ({scenario.steps.length}{' '}
            {scenario.steps.length === 1 ? 'step' : 'steps'}): a log holds descriptors, not the
            guest’s tables.
          </p>
        ) : null}
      </div>

      <section className="import-preview" aria-label="Import preview" aria-live="polite">
        <PreviewBody
          text={text}
          kind={kind}
          busy={busy}
          preview={current ? preview : undefined}
          onLine={selectLine}
        />
      </section>

      <footer className="import-foot">
        <span className="hint">Undo (Ctrl+Z) takes an import back.</span>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn primary" disabled={!canApply}>
          {applyLabel}
        </button>
      </footer>
    </form>
  );
}

function PreviewBody({
  text,
  kind,
  busy,
  preview,
  onLine,
}: {
  text: string;
  kind: ImportKind | undefined;
  busy: boolean;
  preview: ImportPreview | undefined;
  onLine: (line: number) => void;
}) {
  if (text.trim() === '') {
    return <p className="hint">Paste or choose something to import; a preview appears here.</p>;
  }
  if (kind === undefined) {
    return (
      <p className="import-unknown">
        This is not a scenario file, a debugfs dump or a QEMU trace log that PASIDscope recognises.
        Choose how to read it under “Read as” to see why.
      </p>
    );
  }
  if (!preview) return <p className="hint">{busy ? 'Reading…' : ''}</p>;
  if (!preview.ok) {
    const { error } = preview;
    return (
      <div className="import-errors" role="alert">
        <strong>{errorTitle(preview.request.kind)}</strong>
        {error.lines?.length || error.issues?.length ? null : <p>{error.message}</p>}
        {error.lines?.length ? (
          <ul>
            {error.lines.map((l, k) => (
              <li key={k}>
                {l.line !== undefined ? (
                  <>
                    <button type="button" className="cell-link" onClick={() => onLine(l.line ?? 1)}>
                      line {l.line}
                    </button>
                    : {l.message}
                  </>
                ) : (
                  l.message
                )}
              </li>
            ))}
          </ul>
        ) : null}
        {error.issues?.length ? (
          <ul>
            {error.issues.slice(0, 12).map((i, k) => (
              <li key={k}>
                <code>{i.path || '(file)'}</code>: {i.message}
              </li>
            ))}
          </ul>
        ) : null}
        <p className="hint">Your current scenario is unchanged.</p>
      </div>
    );
  }
  const words = describeImport(preview.request.kind, preview.request.name, preview);
  return (
    <div className="import-ok">
      <p className="import-headline">
        <span aria-hidden="true">✓ </span>
        {words.headline}
      </p>
      {words.guesses.length ? (
        <>
          <h3 className="section">Read off the text, or chosen</h3>
          <ul className="import-guesses">
            {words.guesses.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
        </>
      ) : null}
      {words.warnings.length ? (
        <>
          <h3 className="section">
            {words.warnings.length === 1 ? 'Warning' : `Warnings (${words.warnings.length})`}
          </h3>
          <ul className="import-warnings">
            {preview.report?.kind === 'qemu-trace' || preview.report?.kind === 'kernel-trace'
              ? preview.report.stats.missingPasidCache !== undefined && (
                  <li>{preview.report.stats.missingPasidCache}</li>
                )
              : null}
            {preview.warnings.map((w, k) => (
              <li key={`w${k}`}>
                {w.line !== undefined ? (
                  <>
                    <button type="button" className="cell-link" onClick={() => onLine(w.line ?? 1)}>
                      line {w.line}
                    </button>
                    : {w.message}
                  </>
                ) : (
                  w.message
                )}
              </li>
            ))}
            {preview.fileWarnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function errorTitle(kind: ImportKind): string {
  switch (kind) {
    case 'scenario':
      return 'This scenario file cannot be loaded.';
    case 'debugfs':
      return 'This debugfs dump cannot be imported.';
    case 'qemu-trace':
      return 'This trace log cannot be appended.';
    case 'kernel-trace':
      return 'This kernel trace cannot be appended.';
  }
}

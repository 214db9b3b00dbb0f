// The top bar: name, presets, variant (and Compare variants), undo/redo, import (a file, or pasted
// text)/export/debugfs view/share, shortcuts.

import { useRef, useState } from 'react';
import { VARIANTS, type Variant } from '../../model/core.ts';
import {
  exportFileName,
  scenarioWords,
  shareUrlFor,
  useAppStore,
  useAppStoreApi,
  useUndoHistory,
  VARIANT_LABELS,
} from '../../state/index.ts';
import { EvidenceButtons } from '../evidence/EvidenceButtons.tsx';
import { ToursMenu } from '../teaching/ToursMenu.tsx';

/** Above this, a link would be far too long for mail or chat (and slow to compress). */
const SHARE_MAX_WORDS = 20_000;

export function Header({ onShowShortcuts }: { onShowShortcuts: () => void }) {
  const store = useAppStoreApi();
  const presets = useAppStore((s) => s.presets);
  const source = useAppStore((s) => s.scenarioSource);
  const variant = useAppStore((s) => s.scenario.variant);
  const setVariant = useAppStore((s) => s.setVariant);
  const loadPreset = useAppStore((s) => s.loadPreset);
  const importFile = useAppStore((s) => s.importFile);
  const openImportDialog = useAppStore((s) => s.openImportDialog);
  const compareOpen = useAppStore((s) => s.compareOpen);
  const setCompareOpen = useAppStore((s) => s.setCompareOpen);
  const setDebugfsOpen = useAppStore((s) => s.setDebugfsOpen);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const canUndo = useUndoHistory((t) => t.pastStates.length > 0);
  const canRedo = useUndoHistory((t) => t.futureStates.length > 0);
  const fileRef = useRef<HTMLInputElement>(null);
  const [toast, setToast] = useState<string | undefined>(undefined);

  const flash = (text: string): void => {
    setToast(text);
    setTimeout(() => setToast(undefined), 2200);
  };

  const presetValue = source.kind === 'preset' ? source.name : '';
  const current = presets.find((p) => p.name === presetValue);

  const exportScenario = async (): Promise<void> => {
    const scenario = store.getState().scenario;
    // Written by the engine: a scenario with 10^5 PASID entries takes seconds to write out.
    const text = await store.getState().trackLoad(store.engine.fileText({ scenario, indent: 2 }));
    if (!text.ok) {
      pushNotice({
        tone: 'error',
        topic: 'export',
        title: 'Export failed',
        detail: text.error.message,
      });
      return;
    }
    const blob = new Blob([text.value], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = exportFileName(scenario);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const copyShareLink = async (): Promise<void> => {
    const scenario = store.getState().scenario;
    const words = scenarioWords(scenario);
    if (words > SHARE_MAX_WORDS) {
      pushNotice({
        tone: 'warning',
        topic: 'share',
        title: `This scenario holds ${words.toLocaleString('en-US')} words of guest memory: too large for a link. Export it as a file instead.`,
      });
      return;
    }
    let url: string;
    try {
      // A large scenario is compressed by the engine, off the page's thread.
      url = await shareUrlFor(store.engine, scenario, window.location);
    } catch (e) {
      pushNotice({
        tone: 'error',
        topic: 'share',
        title: `Could not make a share link: ${e instanceof Error ? e.message : String(e)}`,
      });
      return;
    }
    try {
      await navigator.clipboard.writeText(url);
      flash(`Share link copied (${url.length.toLocaleString('en-US')} characters).`);
    } catch {
      // No clipboard permission (or an insecure context): show the link so it can be copied by hand.
      pushNotice({ tone: 'info', topic: 'share', title: 'Copy this share link:', detail: url });
    }
    if (url.length > 8000) {
      pushNotice({
        tone: 'warning',
        topic: 'share-size',
        title: `This link is ${url.length.toLocaleString('en-US')} characters long; mail and chat may cut it. Export the scenario as a file instead.`,
      });
    }
  };

  return (
    <header className="app-header">
      <div className="brand">
        <h1>PASIDscope</h1>
        <span className="tagline">VT-d PASID-cache sync, as QEMU does it</span>
      </div>
      <div className="header-group">
        <label htmlFor="preset-select">Preset</label>
        <select
          id="preset-select"
          value={presetValue}
          title={current?.summary ?? 'Load a bundled scenario'}
          onChange={(e) => {
            const name = e.currentTarget.value;
            if (name) void loadPreset(name);
          }}
          style={{ maxWidth: 'clamp(180px, 15vw, 320px)' }}
        >
          <option value="" disabled={presetValue !== ''}>
            {presetValue === '' ? '— choose a preset —' : '—'}
          </option>
          {presets.map((p) => (
            <option key={p.name} value={p.name} title={p.summary}>
              {p.title}
            </option>
          ))}
        </select>
      </div>
      <div className="header-group">
        <ToursMenu />
      </div>
      <div className="header-group">
        <label htmlFor="variant-select">Variant</label>
        <select
          id="variant-select"
          value={variant}
          title={VARIANT_LABELS[variant]}
          onChange={(e) => setVariant(e.currentTarget.value as Variant)}
        >
          {VARIANTS.map((v) => (
            <option key={v} value={v} title={VARIANT_LABELS[v]}>
              {v}
            </option>
          ))}
        </select>
        <button
          id="compare-variants-button"
          type="button"
          className="btn"
          aria-pressed={compareOpen}
          title="Compare variants: run the scenario under seed, series and series-fixed and show where they differ"
          onClick={() => setCompareOpen(!compareOpen)}
        >
          {/* Named by its content, not aria-label, so that getByLabel('Variant') stays unique. */}
          Compare<span className="visually-hidden"> variants</span>
        </button>
      </div>
      <div className="header-group">
        <button
          type="button"
          className="btn"
          disabled={!canUndo}
          title="Undo the last scenario edit (Ctrl+Z)"
          onClick={() => store.temporal.getState().undo()}
        >
          <span className="btn-icon" aria-hidden="true">
            ↶
          </span>
          Undo
        </button>
        <button
          type="button"
          className="btn"
          disabled={!canRedo}
          title="Redo (Shift+Ctrl+Z)"
          onClick={() => store.temporal.getState().redo()}
        >
          <span className="btn-icon" aria-hidden="true">
            ↷
          </span>
          Redo
        </button>
      </div>
      <span className="header-spacer" />
      <div className="header-group">
        <button
          type="button"
          className="btn"
          aria-label="Import scenario"
          title="Open a scenario file, a guest's debugfs dump or a QEMU trace log (or drop one anywhere on the page)"
          onClick={() => fileRef.current?.click()}
        >
          Import
        </button>
        <input
          ref={fileRef}
          type="file"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            // Told by content: a scenario file loads at once, a dump or a trace log opens the
            // import dialog with its options.
            if (file) void file.text().then((text) => importFile(text, file.name));
          }}
        />
        <button
          type="button"
          className="btn"
          title="Paste a scenario, a guest's dmar_translation_struct or a QEMU trace log"
          onClick={() => openImportDialog()}
        >
          Paste<span className="visually-hidden"> text to import</span>
        </button>
        <EvidenceButtons onDone={flash} onExportFile={() => void exportScenario()} />
        <button
          id="debugfs-button"
          type="button"
          className="btn"
          title="What the guest's /sys/kernel/debug/iommu/intel/dmar_translation_struct would print"
          onClick={() => setDebugfsOpen(true)}
        >
          debugfs<span className="visually-hidden"> view</span>
        </button>
        <button
          type="button"
          className="btn"
          aria-label="Copy share link"
          title="Copy a link that holds the whole scenario"
          onClick={() => void copyShareLink()}
        >
          Share link
        </button>
        <button
          type="button"
          className="btn ghost"
          onClick={onShowShortcuts}
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
        >
          ?
        </button>
      </div>
      {toast ? (
        <div className="toast" aria-live="polite">
          {toast}
        </div>
      ) : null}
    </header>
  );
}

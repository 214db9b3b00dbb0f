// The guest's view of its own tables: what `cat /sys/kernel/debug/iommu/intel/
// dmar_translation_struct` prints for the scenario's guest memory, with Linux's walk and quirks
// (computed in the engine by the model's debugfs walk). A teacher puts it beside a real machine's
// output; Copy and Download take it out; a step choice shows the tables at an earlier moment, and
// "Where the structures are" lists the pages the walk found them in.

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { hexAddr } from '../../model/core.ts';
import { describeStep, useAppStore } from '../../state/index.ts';
import { copyText, downloadText } from '../compare/clipboard.ts';
import { useModalDialog } from '../import/useModalDialog.ts';
import { lineDiff, type LineDiff } from './lineDiff.ts';
import { pageRuns } from './pageRuns.ts';
import './debugfs.css';

/** Lines shown in the page; Copy and Download always carry the whole text. */
const MAX_SHOWN_LINES = 4000;

export function DebugfsDialog() {
  const open = useAppStore((s) => s.debugfsOpen);
  const setOpen = useAppStore((s) => s.setDebugfsOpen);
  const ref = useRef<HTMLDialogElement>(null);
  useModalDialog(ref, open);
  const close = (): void => {
    setOpen(false);
    document.getElementById('debugfs-button')?.focus();
  };
  return (
    <dialog
      ref={ref}
      className="debugfs-dialog"
      aria-labelledby="debugfs-title"
      onClose={close}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      {open ? <DebugfsBody onClose={close} /> : null}
    </dialog>
  );
}

function DebugfsBody({ onClose }: { onClose: () => void }) {
  const scenario = useAppStore((s) => s.scenario);
  const dump = useAppStore((s) => s.debugfs);
  const status = useAppStore((s) => s.debugfsStatus);
  const error = useAppStore((s) => s.debugfsError);
  const request = useAppStore((s) => s.requestDebugfsDump);
  const [step, setStep] = useState<number | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const [manual, setManual] = useState(false);
  const [real, setReal] = useState('');
  const ids = useId();

  const steps = scenario.steps.length;
  const chosen = step !== undefined && step < steps ? step : undefined;
  useEffect(() => {
    void request(chosen);
  }, [scenario, chosen, request]);

  const value = dump?.of === scenario && dump.step === chosen ? dump.value : undefined;
  const shown = value ?? dump?.value;
  const lines = useMemo(() => (shown ? shown.text.replace(/\n+$/, '').split('\n') : []), [shown]);
  const runs = useMemo(() => pageRuns(shown?.pages ?? []), [shown]);
  const diff = useMemo(
    () => (shown && real.trim() !== '' ? lineDiff(shown.text, real) : undefined),
    [shown, real],
  );

  const copy = async (): Promise<void> => {
    if (!value) return;
    if (await copyText(value.text)) {
      setManual(false);
      setNote('Copied.');
      setTimeout(() => setNote(undefined), 2000);
    } else {
      setManual(true);
    }
  };

  return (
    <div className="debugfs-body">
      <header className="debugfs-head">
        <h2 id="debugfs-title">
          debugfs: <code>dmar_translation_struct</code>
        </h2>
        <p className="hint">
          What <code>cat /sys/kernel/debug/iommu/intel/dmar_translation_struct</code> prints in the
          guest for these tables — the same walk and the same quirks as Linux’s{' '}
          <code>drivers/iommu/intel/debugfs.c</code>. Put it next to a real machine’s output, or
          paste that below to see where they differ.
        </p>
      </header>
      <div className="debugfs-tools">
        <label>
          <span>Tables</span>
          <select
            aria-label="Tables as of"
            value={chosen === undefined ? 'end' : String(chosen)}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setStep(v === 'end' ? undefined : Number(v));
            }}
          >
            <option value="end">after the last step{steps ? ` (step ${steps})` : ''}</option>
            {scenario.steps.map((s, i) => (
              <option key={i} value={i}>
                before step {i + 1}: {describeStep(s)}
              </option>
            ))}
          </select>
        </label>
        <span className="hint" aria-live="polite">
          {status === 'running' && !value
            ? 'Walking the tables…'
            : value
              ? value.enabled
                ? `${value.rows.toLocaleString('en-US')} row${value.rows === 1 ? '' : 's'}, ${value.devices} device${value.devices === 1 ? '' : 's'}${value.scalable ? '' : ' (legacy mode)'}`
                : 'DMA remapping is off (TE clear): Linux prints one line'
              : ''}
          {note ? ` · ${note}` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="btn small" disabled={!value} onClick={() => void copy()}>
          Copy
        </button>
        <button
          type="button"
          className="btn small"
          disabled={!value}
          title="Save as a text file"
          onClick={() => value && downloadText(value.text, 'dmar_translation_struct.txt')}
        >
          Download
        </button>
      </div>
      {status === 'error' && error ? (
        <p className="debugfs-error" role="alert">
          {error.message}
        </p>
      ) : null}
      {manual && value ? (
        <textarea
          className="debugfs-manual"
          aria-label="debugfs output to copy"
          readOnly
          value={value.text}
          rows={4}
        />
      ) : null}
      <pre
        className={`debugfs-text${value ? '' : ' stale'}`}
        tabIndex={0}
        aria-label="debugfs output"
      >
        {diff ? <DiffLines diff={diff} /> : lines.slice(0, MAX_SHOWN_LINES).join('\n')}
      </pre>
      {lines.length > MAX_SHOWN_LINES && !diff ? (
        <p className="hint">
          … {(lines.length - MAX_SHOWN_LINES).toLocaleString('en-US')} more lines: Copy or Download
          gives the whole text.
        </p>
      ) : null}
      <details className="debugfs-compare">
        <summary>Compare with a real machine’s output</summary>
        <label htmlFor={`${ids}-real`} className="hint">
          Paste the output of <code>cat dmar_translation_struct</code> from a guest: lines only
          PASIDscope prints are marked <b>−</b>, lines only the real one prints <b>+</b>.
        </label>
        <textarea
          id={`${ids}-real`}
          className="debugfs-real"
          spellCheck={false}
          wrap="off"
          rows={4}
          value={real}
          onChange={(e) => setReal(e.currentTarget.value)}
        />
        {diff ? (
          <p className="hint" aria-live="polite">
            {diff.onlyHere === 0 && diff.onlyThere === 0
              ? 'Identical: the real machine prints exactly these lines.'
              : `${diff.onlyHere} line${diff.onlyHere === 1 ? '' : 's'} only here, ${diff.onlyThere} only in the pasted output.`}
          </p>
        ) : null}
      </details>
      {runs.length ? (
        <details className="debugfs-pages">
          <summary>
            Where the structures are ({shown?.pages.length ?? 0} page
            {shown?.pages.length === 1 ? '' : 's'})
          </summary>
          <table>
            <tbody>
              {runs.slice(0, 500).map((r) => (
                <tr key={String(r.first)}>
                  <td className="mono">
                    {hexAddr(r.first)}
                    {r.pages > 1 ? `–${hexAddr(r.last)}` : ''}
                  </td>
                  <td>
                    {r.what}
                    {r.pages > 1 ? ` (${r.pages} pages)` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {runs.length > 500 ? <p className="hint">… and {runs.length - 500} more.</p> : null}
        </details>
      ) : null}
      <footer className="debugfs-foot">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </footer>
    </div>
  );
}

function DiffLines({ diff }: { diff: LineDiff }) {
  return (
    <>
      {diff.lines.slice(0, MAX_SHOWN_LINES).map((l, k) => (
        <span key={k} className={`dl ${l.side}`}>
          <span className="dl-mark" aria-hidden="true">
            {l.side === 'both' ? ' ' : l.side === 'here' ? '−' : '+'}
          </span>
          <span className="visually-hidden">
            {l.side === 'both'
              ? ''
              : l.side === 'here'
                ? 'only here: '
                : 'only in the pasted output: '}
          </span>
          {l.text}
          {'\n'}
        </span>
      ))}
    </>
  );
}

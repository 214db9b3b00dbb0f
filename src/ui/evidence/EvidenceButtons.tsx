// Evidence out, from the header's Export menu: the scenario file, "Copy as text" (the run as a
// mail-ready report, the same text as `pasidscope report`) and "Perfetto trace" (the run as Chrome
// trace-event JSON for Perfetto UI). The last two work on the run on screen; without the
// clipboard the report is offered in a notice.

import { useRef } from 'react';
import { exportFileName, perfettoTraceText, reportText, useAppStore } from '../../state/index.ts';
import { copyText, downloadText } from '../compare/clipboard.ts';
import './evidence.css';

export function EvidenceButtons({
  onDone,
  onExportFile,
}: {
  onDone: (message: string) => void;
  /** Saves the scenario file (the header's own export). */
  onExportFile: () => void;
}) {
  const run = useAppStore((s) => s.run);
  const runOf = useAppStore((s) => s.runOf);
  const scenario = useAppStore((s) => s.scenario);
  const source = useAppStore((s) => s.scenarioSource);
  const pushNotice = useAppStore((s) => s.pushNotice);
  // Only the run of the scenario on screen (a newer edit may still be running).
  const ready = run !== undefined && runOf === scenario;
  const menu = useRef<HTMLDetailsElement>(null);
  const close = (): void => {
    if (menu.current) menu.current.open = false;
  };

  const copyReport = async (): Promise<void> => {
    if (!ready) return;
    const text = reportText(scenario, run.result, source);
    if (await copyText(text)) {
      onDone('Report copied as plain text (72 columns): paste it into the mail.');
    } else {
      pushNotice({ tone: 'info', topic: 'report', title: 'Copy this report:', detail: text });
    }
  };

  const savePerfetto = (): void => {
    if (!ready) return;
    const name = exportFileName(scenario).replace(/\.pasidscope\.json$/, '.perfetto.json');
    downloadText(perfettoTraceText(scenario, run.result), name);
    onDone(`Saved ${name}: open it in ui.perfetto.dev or chrome://tracing.`);
  };

  // One header button (the header keeps to one row at 1280 px): a menu of the exports.
  return (
    <details
      ref={menu}
      className="evidence-menu"
      onKeyDown={(e) => {
        if (e.key === 'Escape') e.currentTarget.open = false;
      }}
    >
      <summary
        className="btn"
        title="Export the scenario as a file, the run as text for a mail, or as a Perfetto trace"
      >
        Export
      </summary>
      <div className="evidence-menu-items" role="group" aria-label="Export">
        <button
          type="button"
          className="btn"
          aria-label="Export scenario"
          title="Save the scenario as a JSON file"
          onClick={() => {
            close();
            onExportFile();
          }}
        >
          Scenario file
        </button>
        <button
          type="button"
          className="btn"
          disabled={!ready}
          title="Copy the run as plain text for a mail or a review (the scenario rides along)"
          onClick={() => {
            close();
            void copyReport();
          }}
        >
          Copy as text
        </button>
        <button
          type="button"
          className="btn"
          disabled={!ready}
          aria-label="Save Perfetto trace"
          title="Save the run as a trace for Perfetto UI or chrome://tracing"
          onClick={() => {
            close();
            savePerfetto();
          }}
        >
          Perfetto trace
        </button>
      </div>
    </details>
  );
}

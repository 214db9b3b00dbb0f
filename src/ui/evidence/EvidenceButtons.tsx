// Evidence out, from the header: "Copy as text" (the run as a mail-ready report, the same text as
// `pasidscope report`) and "Perfetto trace" (the run as Chrome trace-event JSON for Perfetto UI).
// Both work on the run on screen; without the clipboard the text is offered in a notice.

import { useAppStore } from '../../state/hooks.ts';
import { perfettoTraceText, reportText } from '../../state/evidence.ts';
import { exportFileName } from '../../state/persistence.ts';
import { copyText, downloadText } from '../compare/clipboard.ts';

export function EvidenceButtons({ onDone }: { onDone: (message: string) => void }) {
  const run = useAppStore((s) => s.run);
  const runOf = useAppStore((s) => s.runOf);
  const scenario = useAppStore((s) => s.scenario);
  const source = useAppStore((s) => s.scenarioSource);
  const pushNotice = useAppStore((s) => s.pushNotice);
  // Only the run of the scenario on screen (a newer edit may still be running).
  const ready = run !== undefined && runOf === scenario;

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

  return (
    <>
      <button
        type="button"
        className="btn"
        disabled={!ready}
        title="Copy the run as plain text for a mail or a review (the scenario rides along)"
        onClick={() => void copyReport()}
      >
        Copy as text
      </button>
      <button
        type="button"
        className="btn"
        disabled={!ready}
        aria-label="Save Perfetto trace"
        title="Save the run as a trace for Perfetto UI or chrome://tracing"
        onClick={savePerfetto}
      >
        Perfetto
      </button>
    </>
  );
}

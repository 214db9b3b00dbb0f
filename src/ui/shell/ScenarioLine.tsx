// Under the header: which scenario this is, its explanation, and the run status (the live region that
// announces each run's outcome).

import { useState } from 'react';
import { useAppStore } from '../../state/index.ts';

export function ScenarioLine() {
  const title = useAppStore((s) => s.scenario.title);
  const description = useAppStore((s) => s.scenario.description);
  const source = useAppStore((s) => s.scenarioSource);
  const presets = useAppStore((s) => s.presets);
  const runStatus = useAppStore((s) => s.runStatus);
  const announcement = useAppStore((s) => s.announcement);
  const preset = source.kind === 'preset' ? presets.find((p) => p.name === source.name) : undefined;
  const origin =
    source.kind === 'preset'
      ? `preset ${source.name}`
      : source.kind === 'file'
        ? `file ${source.name}`
        : source.kind === 'link'
          ? 'share link'
          : 'new';
  const summary = preset?.summary || description || '';
  const [open, setOpen] = useState(false);
  return (
    <>
      <section className="scenario-line" aria-label="Scenario in use">
        <button
          type="button"
          className="title title-button"
          aria-expanded={open}
          aria-controls="scenario-about"
          title={open ? 'Hide the explanation' : 'Show what this scenario shows'}
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">{open ? '▾ ' : '▸ '}</span>
          {title ?? 'Untitled scenario'}
        </button>
        <span className="badge muted">
          {origin}
          {source.edited ? ' · edited' : ''}
        </span>
        <span className="summary" title={summary}>
          {summary}
        </span>
        <span className="status-dot" data-state={runStatus} aria-hidden="true" />
        <span className="status-region" role="status" aria-live="polite" title={announcement}>
          {runStatus === 'running' && !announcement ? 'Running…' : announcement}
        </span>
      </section>
      {open ? (
        <section id="scenario-about" className="scenario-about" aria-label="About this scenario">
          {description ? (
            <p>{description}</p>
          ) : (
            <p className="hint">This scenario has no description.</p>
          )}
          {preset?.tags.length ? <p className="hint">Tags: {preset.tags.join(', ')}</p> : null}
        </section>
      ) : null}
    </>
  );
}

// Under the header: which scenario this is, its explanation, and the run status (the live region that
// announces each run's outcome).

import { useAppStore } from '../../state/hooks.ts';

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
  return (
    <div className="scenario-line">
      <span className="title" title={title}>
        {title ?? 'Untitled scenario'}
      </span>
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
    </div>
  );
}

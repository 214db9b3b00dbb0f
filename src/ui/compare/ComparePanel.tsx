// The reviewer's view: the scenario under seed, series and series-fixed side by side. Per pair of
// variants, the steps whose outcome differs (status, cache changes, walk counters) and the final
// cache entries that differ; a step moves the walk view there (in either variant); "Copy as
// Markdown" gives the text to paste into a review. It takes the right column while it is open.

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Scenario, Variant } from '../../model/index.ts';
import {
  type AppComparison,
  type ComparedEntry,
  type ComparedPair,
  type ComparedStep,
  scenarioAttachment,
  scenarioWords,
  useAppStore,
} from '../../state/index.ts';
import { copyText } from './clipboard.ts';
import {
  ENTRY_ASPECT_LABELS,
  STEP_ASPECT_LABELS,
  changeLines,
  comparisonMarkdown,
  entryFieldDiff,
  entryName,
  entryStateText,
  pairCounts,
  pairRole,
  statusText,
  stepLabel,
  walkText,
} from './compareText.ts';
import './compare.css';

/** Scenarios above this many memory words get no link in the Markdown (as for Share link). */
const LINK_MAX_WORDS = 20_000;

function pairKey(p: { readonly from: Variant; readonly to: Variant }): string {
  return `${p.from}:${p.to}`;
}

function hasDifference(p: ComparedPair): boolean {
  return p.stepsDiffering > 0 || p.entryCount > 0 || p.iqeDiffers;
}

export function ComparePanel() {
  const scenario = useAppStore((s) => s.scenario);
  const source = useAppStore((s) => s.scenarioSource);
  const comparison = useAppStore((s) => s.comparison);
  const status = useAppStore((s) => s.compareStatus);
  const error = useAppStore((s) => s.compareError);
  const requestComparison = useAppStore((s) => s.requestComparison);
  const setOpen = useAppStore((s) => s.setCompareOpen);
  const [pairChoice, setPairChoice] = useState<string | undefined>(undefined);
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const [manualCopy, setManualCopy] = useState<string | undefined>(undefined);
  const headingId = useId();
  const sectionRef = useRef<HTMLElement>(null);

  // Compare whatever scenario is current (an edit while the panel is open compares again).
  useEffect(() => {
    void requestComparison();
  }, [scenario, requestComparison]);

  useEffect(() => {
    sectionRef.current?.focus();
  }, []);

  const value = comparison?.value;
  const current = comparison?.of === scenario;
  const pairs = useMemo(() => value?.pairs ?? [], [value]);
  const pair =
    pairs.find((p) => pairKey(p) === pairChoice) ?? pairs.find(hasDifference) ?? pairs[0];

  const close = (): void => {
    setOpen(false);
    document.getElementById('compare-variants-button')?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  };

  const copyMarkdown = async (): Promise<void> => {
    if (!value || !comparison) return;
    const of = comparison.of;
    const label =
      source.kind === 'preset'
        ? `preset ${source.name}${source.edited ? ', edited' : ''}`
        : source.kind === 'file'
          ? `file ${source.name}${source.edited ? ', edited' : ''}`
          : undefined;
    // A public address when the build has one, else the scenario inline: never this machine's.
    const attachment = scenarioWords(of) <= LINK_MAX_WORDS ? scenarioAttachment(of) : undefined;
    const text = comparisonMarkdown(value, of, {
      ...(label ? { source: label } : {}),
      ...(attachment?.kind === 'link' ? { link: attachment.url } : {}),
      ...(attachment?.kind === 'inline' ? { inline: attachment.fragment } : {}),
    });
    if (await copyText(text)) {
      setManualCopy(undefined);
      setCopied('Markdown copied: paste it into the review.');
      setTimeout(() => setCopied(undefined), 2500);
    } else {
      setManualCopy(text);
      setCopied(undefined);
    }
  };

  return (
    <section
      ref={sectionRef}
      className="panel compare-panel"
      aria-labelledby={headingId}
      tabIndex={-1}
      onKeyDown={onKeyDown}
    >
      <div className="panel-head">
        <h2 id={headingId}>Compare variants</h2>
        <span className="aside">
          <button
            type="button"
            className="btn small"
            disabled={!value || !current}
            title="Copy the comparison as Markdown, for a review (with a link to the scenario)"
            onClick={() => void copyMarkdown()}
          >
            Copy as Markdown
          </button>
          <button
            type="button"
            className="btn small ghost"
            aria-label="Close the comparison"
            title="Close (Esc)"
            onClick={close}
          >
            ✕
          </button>
        </span>
      </div>
      <div className="panel-body compare-body">
        <p className="compare-status" role="status" aria-live="polite">
          {status === 'running'
            ? 'Running the scenario under seed, series and series-fixed…'
            : (copied ?? '')}
        </p>
        {manualCopy !== undefined ? (
          <div className="compare-manual">
            <label htmlFor="compare-markdown">
              The clipboard is not available here: copy the Markdown by hand.
            </label>
            <textarea id="compare-markdown" readOnly value={manualCopy} rows={8} />
          </div>
        ) : null}
        {status === 'error' && error ? (
          <div className="compare-error" role="alert">
            <strong>The variants could not be compared.</strong> {error.message}
          </div>
        ) : null}
        {value ? (
          <div className={current ? undefined : 'compare-stale'} aria-busy={!current}>
            <ComparisonBody
              value={value}
              scenario={comparison.of}
              pair={pair}
              onPair={setPairChoice}
            />
          </div>
        ) : null}
      </div>
    </section>
  );
}

function ComparisonBody({
  value,
  scenario,
  pair,
  onPair,
}: {
  value: AppComparison;
  scenario: Scenario;
  pair: ComparedPair | undefined;
  onPair: (key: string) => void;
}) {
  const tabsId = useId();
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const i = value.pairs.findIndex((p) => p === pair);
    const step =
      e.key === 'ArrowDown' || e.key === 'ArrowRight'
        ? 1
        : e.key === 'ArrowUp' || e.key === 'ArrowLeft'
          ? -1
          : 0;
    if (!step) return;
    e.preventDefault();
    const next = value.pairs[(i + step + value.pairs.length) % value.pairs.length];
    if (next) {
      onPair(pairKey(next));
      document.getElementById(`${tabsId}-${pairKey(next)}`)?.focus();
    }
  };
  return (
    <>
      <ul className="compare-summary" aria-label="Summary">
        {value.summary.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {value.identical ? (
        <p className="compare-agree">
          <span aria-hidden="true">✓ </span>
          All three variants agree: every one of the {value.stepCount} steps has the same outcome
          under seed, series and series-fixed, and the final caches are identical.
        </p>
      ) : (
        <>
          <div
            className="compare-pairs"
            role="tablist"
            aria-label="Pairs compared"
            aria-orientation="vertical"
            onKeyDown={onTabKey}
          >
            {value.pairs.map((p) => {
              const key = pairKey(p);
              const selected = p === pair;
              return (
                <button
                  key={key}
                  id={`${tabsId}-${key}`}
                  type="button"
                  role="tab"
                  className="compare-pair"
                  aria-selected={selected}
                  aria-controls={`${tabsId}-panel`}
                  tabIndex={selected ? 0 : -1}
                  aria-label={`${p.from} ↔ ${p.to} (${pairRole(p)}): ${hasDifference(p) ? `${pairCounts(p)} differ` : 'no difference'}`}
                  onClick={() => onPair(key)}
                >
                  <span className="pair-name">
                    {p.from} ↔ {p.to}
                  </span>
                  <span className="pair-role">{pairRole(p)}</span>
                  <span className={`badge ${hasDifference(p) ? 'updated' : 'muted'}`}>
                    {hasDifference(p) ? pairCounts(p) : 'same'}
                  </span>
                </button>
              );
            })}
          </div>
          {pair ? (
            <div
              id={`${tabsId}-panel`}
              role="tabpanel"
              aria-labelledby={`${tabsId}-${pairKey(pair)}`}
            >
              <PairDetail value={value} scenario={scenario} pair={pair} />
            </div>
          ) : null}
        </>
      )}
      <p className="hint compare-foot">
        Steps are numbered from 1, as in the Steps list. Three runs and the comparison took{' '}
        {value.ms < 10 ? value.ms.toFixed(1) : Math.round(value.ms)} ms.
      </p>
    </>
  );
}

function PairDetail({
  value,
  scenario,
  pair,
}: {
  value: AppComparison;
  scenario: Scenario;
  pair: ComparedPair;
}) {
  const byIndex = useMemo(() => new Map(value.steps.map((s) => [s.index, s])), [value]);
  if (!hasDifference(pair)) {
    return (
      <p className="compare-agree">
        <span aria-hidden="true">✓ </span>
        {pair.from} and {pair.to} agree on every step and on the final caches.
      </p>
    );
  }
  return (
    <>
      <h3 className="section">
        Steps that differ ({pair.stepsDiffering} of {value.stepCount})
      </h3>
      {pair.steps.length === 0 ? (
        <p className="hint">
          Every step has the same outcome under {pair.from} and {pair.to}.
        </p>
      ) : (
        <ol
          className="compare-steps"
          aria-label={`Steps that differ between ${pair.from} and ${pair.to}`}
        >
          {pair.steps.map(({ index, aspects }) => {
            const step = byIndex.get(index);
            return step ? (
              <StepDiff
                key={index}
                step={step}
                scenario={scenario}
                aspects={aspects}
                variants={[pair.from, pair.to]}
              />
            ) : null;
          })}
        </ol>
      )}
      {pair.stepsDiffering > pair.steps.length ? (
        <p className="hint">… and {pair.stepsDiffering - pair.steps.length} more steps.</p>
      ) : null}
      <h3 className="section">Final caches that differ ({pair.entryCount})</h3>
      {pair.entries.length === 0 ? (
        <p className="hint">
          The final caches are the same under {pair.from} and {pair.to}.
        </p>
      ) : (
        <ul className="compare-entries" aria-label="Final cache entries that differ">
          {pair.entries.map(({ at, aspects }) => {
            const e = value.entries[at];
            return e ? (
              <EntryDiff key={at} entry={e} aspects={aspects} variants={[pair.from, pair.to]} />
            ) : null;
          })}
        </ul>
      )}
      {pair.entryCount > pair.entries.length ? (
        <p className="hint">… and {pair.entryCount - pair.entries.length} more entries.</p>
      ) : null}
      {pair.iqeDiffers ? (
        <p className="compare-iqe">
          FSTS.IQE ends {value.iqe[pair.from] ? 'set' : 'clear'} under {pair.from} and{' '}
          {value.iqe[pair.to] ? 'set' : 'clear'} under {pair.to}.
        </p>
      ) : null}
    </>
  );
}

function StepDiff({
  step,
  scenario,
  aspects,
  variants,
}: {
  step: ComparedStep;
  scenario: Scenario;
  aspects: ComparedPair['steps'][number]['aspects'];
  variants: readonly [Variant, Variant];
}) {
  const showStep = useAppStore((s) => s.showStep);
  const shownVariant = useAppStore((s) => s.scenario.variant);
  const n = step.index + 1;
  const what = stepLabel(scenario, step.index);
  const differs = new Set(aspects);
  return (
    <li className="compare-step">
      <button
        type="button"
        className="compare-step-head"
        title={`Show step ${n} in the walk view (${shownVariant})`}
        onClick={() => void showStep(step.index)}
      >
        <span className="step-n">Step {n}</span>
        <span className="step-what">{what}</span>
      </button>
      {step.note ? <div className="step-note">{step.note}</div> : null}
      <div className="compare-aspects">
        differs in{' '}
        {aspects.map((a) => (
          <span key={a} className="badge updated">
            {STEP_ASPECT_LABELS[a]}
          </span>
        ))}
      </div>
      <table className="compare-outcomes">
        <tbody>
          {variants.map((v) => {
            const o = step.outcomes[v];
            const walk = walkText(o);
            const { lines, more } = changeLines(o);
            return (
              <tr key={v}>
                <th scope="row">
                  <button
                    type="button"
                    className="cell-link"
                    title={
                      v === shownVariant
                        ? `Show step ${n} in the walk view`
                        : `Switch the scenario to ${v} and show step ${n} in the walk view`
                    }
                    aria-label={`Walk step ${n} under ${v}`}
                    onClick={() => void showStep(step.index, v)}
                  >
                    {v}
                  </button>
                  {v === shownVariant ? (
                    <span className="shown-mark" title="The walk view shows this variant">
                      shown
                    </span>
                  ) : null}
                </th>
                <td>
                  <span
                    className={
                      differs.has('status') || differs.has('error') ? 'differs' : undefined
                    }
                  >
                    {statusText(o)}
                  </span>
                  {walk ? (
                    <span className={differs.has('accelWalk') ? 'differs' : undefined}>
                      {' · '}
                      {walk}
                    </span>
                  ) : null}
                  {o.pcInfo && differs.has('pcInfo') ? (
                    <span className="differs">
                      {' · '}pc_info type {o.pcInfo.type}, DID {o.pcInfo.did}, PASID{' '}
                      {o.pcInfo.pasid}
                    </span>
                  ) : null}
                  <div className={differs.has('changes') ? 'changes differs' : 'changes'}>
                    {o.changeCount === 0 ? (
                      'no cache change'
                    ) : (
                      <>
                        {lines.map((l) => (
                          <div key={l}>{l}</div>
                        ))}
                        {more > 0 ? <div>… and {more} more</div> : null}
                      </>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </li>
  );
}

function EntryDiff({
  entry,
  aspects,
  variants,
}: {
  entry: ComparedEntry;
  aspects: ComparedPair['entries'][number]['aspects'];
  variants: readonly [Variant, Variant];
}) {
  const [a, b] = variants;
  const fields = aspects.includes('words') ? entryFieldDiff(entry.states[a], entry.states[b]) : [];
  return (
    <li className="compare-entry">
      <div className="entry-name">
        <strong>{entryName(entry)}</strong>{' '}
        {aspects.map((x) => (
          <span key={x} className="badge updated">
            {ENTRY_ASPECT_LABELS[x]}
          </span>
        ))}
      </div>
      <table className="compare-outcomes">
        <tbody>
          {variants.map((v) => (
            <tr key={v}>
              <th scope="row">{v}</th>
              <td className="mono">{entryStateText(entry.cache, entry.states[v])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {fields.length ? (
        <div className="entry-fields">
          {a} → {b}: {fields.join(', ')}
        </div>
      ) : null}
    </li>
  );
}

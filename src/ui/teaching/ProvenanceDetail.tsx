// "Where did this come from?" for one cache row: the step that created it and the one that last
// updated it, the write step(s) behind the guest words it holds (field by field when different
// writes made them) and, for a stale entry, the write that made it stale. Every step is a link that
// moves the playhead to that step.

import { entryProvenance, type CacheKind, type WordOrigin } from '../../model/core.ts';
import { useAppStore } from '../../state/index.ts';
import { formatHex } from '../common/numberText.ts';
import './teaching.css';

function StepLink({ step }: { readonly step: number }) {
  const seekTo = useAppStore((s) => s.seekTo);
  const pause = useAppStore((s) => s.pause);
  const start = useAppStore((s) => s.run?.result.trace.stepStart[step]);
  const note = useAppStore((s) => s.runOf?.steps[step]?.note);
  return (
    <a
      href={`#step-${step + 1}`}
      className="step-link"
      title={note ? `Step ${step + 1}: ${note}` : `Move the playhead to step ${step + 1}`}
      onClick={(e) => {
        e.preventDefault();
        if (start === undefined) return;
        pause();
        seekTo(start);
      }}
    >
      step {step + 1}
    </a>
  );
}

function Origin({ origin }: { readonly origin: WordOrigin }) {
  if (origin.kind === 'step') return <StepLink step={origin.step} />;
  return <span>{origin.kind === 'initial' ? 'initial memory' : 'never written (zero)'}</span>;
}

export function ProvenanceDetail({
  cache,
  bdf,
  pasid,
  atStep,
}: {
  readonly cache: CacheKind;
  readonly bdf: string;
  readonly pasid: number;
  readonly atStep: number;
}) {
  const scenario = useAppStore((s) => s.runOf);
  const run = useAppStore((s) => s.run?.result);
  const p =
    scenario && run ? entryProvenance(scenario, run, { cache, bdf, pasid }, atStep) : undefined;
  if (!p) {
    return <p className="provenance">No step up to here put this entry in the cache.</p>;
  }
  // Fields grouped by the write they came from; one line when a single write made the whole entry.
  const groups = new Map<string, { origin: WordOrigin; labels: string[] }>();
  for (const f of p.fieldOrigins) {
    const k = f.origin.kind === 'step' ? `s${f.origin.step}` : f.origin.kind;
    const g = groups.get(k) ?? { origin: f.origin, labels: [] };
    g.labels.push(f.label);
    groups.set(k, g);
  }
  return (
    <div
      className="provenance"
      role="group"
      aria-label={`Where PASID ${pasid} of ${bdf} came from`}
    >
      <ul>
        <li>
          Created by <StepLink step={p.createdAt} />
          {p.updatedAt !== p.createdAt ? (
            <>
              , last updated by <StepLink step={p.updatedAt} />
            </>
          ) : null}
          .
        </li>
        <li>
          Its words were read from{' '}
          {p.source === undefined ? (
            'nowhere (an all-zero buffer)'
          ) : (
            <span className="mono">{formatHex(p.source)}</span>
          )}
          {groups.size === 1 ? (
            <>
              , written by <Origin origin={[...groups.values()][0]!.origin} />.
            </>
          ) : (
            ':'
          )}
        </li>
        {groups.size > 1
          ? [...groups.entries()].map(([k, g]) => (
              <li key={k} className="provenance-fields">
                <Origin origin={g.origin} />: {g.labels.join(', ')}
              </li>
            ))
          : null}
        {p.staleSince !== undefined ? (
          <li className="provenance-stale">
            Stale since <StepLink step={p.staleSince} />: that write changed guest memory after the
            cache read it.
          </li>
        ) : null}
      </ul>
    </div>
  );
}

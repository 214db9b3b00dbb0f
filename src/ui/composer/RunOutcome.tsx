// The outcome of the step at the walk's playhead (the last invalidation once the playhead is at the
// end of the run): processed / rejected (IQE and why) / blocked, the sync's information, the guest
// reads the accel walk made, and what changed in each cache up to the playhead.

import {
  describeStep,
  selectCacheMoment,
  selectRunIsCurrent,
  selectStepChangesAtCursor,
  useAppStore,
} from '../../state/index.ts';

const PC_TYPE = { 0: 'domain-selective', 1: 'PASID-selective', 3: 'global' } as const;

export function RunOutcome() {
  const run = useAppStore((s) => s.run);
  const runOf = useAppStore((s) => s.runOf);
  const status = useAppStore((s) => s.runStatus);
  const error = useAppStore((s) => s.runError);
  const current = useAppStore(selectRunIsCurrent);
  const moment = useAppStore(selectCacheMoment);
  const soFar = useAppStore(selectStepChangesAtCursor);

  if (status === 'error' && error) {
    return (
      <div className="outcome" aria-label="Run outcome">
        <div className="outcome-head">
          <span className="badge error">not run</span>
          {/* With several problems the list below says each once (the message is the first). */}
          <span>
            {error.issues && error.issues.length > 1
              ? `The scenario has ${error.issues.length} problems:`
              : error.message}
          </span>
        </div>
        {error.issues && error.issues.length > 1 ? (
          <ul className="hint" style={{ margin: 0, paddingLeft: 18 }}>
            {error.issues.slice(0, 6).map((i, k) => (
              <li key={k}>
                <code>{i.path || '(file)'}</code>: {i.message}
              </li>
            ))}
          </ul>
        ) : null}
        {run ? <span className="hint">The caches show the last scenario that ran.</span> : null}
      </div>
    );
  }
  if (!run || !runOf) return null;
  // Mid-run, the playhead's step; at the end, the last invalidation (a trailing wait is not news).
  const midRun = moment !== undefined && !moment.atEnd && soFar !== undefined;
  const focus = midRun ? moment.step : run.focusStep;
  const step = focus >= 0 ? runOf.steps[focus] : undefined;
  const res = focus >= 0 ? run.result.steps[focus] : undefined;
  if (!step || !res) {
    return (
      <div className="outcome" aria-label="Run outcome">
        <span className="hint">No invalidation in this scenario yet.</span>
      </div>
    );
  }
  // The run lists a step's first few changes; the counts cover all of them.
  const accel = midRun ? soFar.accel : res.changes.filter((c) => c.cache === 'accel');
  const emulated = midRun ? soFar.emulated : res.changes.filter((c) => c.cache === 'emulated');
  const total = (k: 'accel' | 'emulated'): number => {
    if (midRun) return k === 'accel' ? soFar.accelTotal : soFar.emulatedTotal;
    const c = run.focus.counts[k];
    return c.created + c.updated + c.removed;
  };
  const badge =
    res.status === 'processed'
      ? 'ok'
      : res.status === 'rejected'
        ? 'error'
        : res.status === 'blocked'
          ? 'warn'
          : 'muted';
  return (
    <div className="outcome" aria-label="Run outcome">
      <div className="outcome-head">
        <span className={`badge ${badge}`}>{res.status}</span>
        <span>
          Step {focus + 1}: {describeStep(step)}
        </span>
        {!current ? <span className="hint">(running…)</span> : null}
      </div>
      {res.status === 'rejected' ? (
        <div style={{ color: 'var(--error)' }}>
          FSTS.IQE set{res.error ? `: ${res.error}` : ''}. Later descriptors are blocked until the
          guest clears IQE.
        </div>
      ) : null}
      {res.status === 'blocked' ? (
        <div style={{ color: 'var(--warn)' }}>
          FSTS.IQE was already set, so QEMU did not process this descriptor (Clear IQE does not
          replay it).
        </div>
      ) : null}
      {res.pcInfo ? (
        <div className="counts">
          <span>
            pc_info <b>{PC_TYPE[res.pcInfo.type]}</b>
          </span>
          <span>
            DID <b>{res.pcInfo.did}</b>
          </span>
          <span>
            PASID <b>{res.pcInfo.pasid}</b>
          </span>
        </div>
      ) : null}
      {res.accelWalk ? (
        <div className="counts" aria-label="Read counts">
          <span>
            dir reads <b>{res.accelWalk.dirReads.toLocaleString('en-US')}</b>
          </span>
          <span>
            leaf reads <b>{res.accelWalk.entryReads.toLocaleString('en-US')}</b>
          </span>
          <span title="PASID comparisons of QEMU's linear list search in vtd_accel_fill_pc">
            list compares <b>{res.accelWalk.listCompares.toLocaleString('en-US')}</b>
          </span>
        </div>
      ) : null}
      {(midRun ? [] : run.result.steps)
        .slice(focus + 1)
        .filter((r) => r.op !== 'write')
        .slice(0, 4)
        .map((r) => {
          const later = runOf.steps[r.index];
          return (
            <div key={r.index} className="counts">
              <span>
                then step {r.index + 1}: {later ? describeStep(later) : r.op} — <b>{r.status}</b>
                {r.error ? ` (${r.error})` : ''}
              </span>
            </div>
          );
        })}
      {res.status === 'processed' ? (
        <div className="counts">
          {midRun ? <span>so far in this step:</span> : null}
          <span>
            accel: <ChangeList changes={accel} total={total('accel')} />
          </span>
          <span>
            emulated: <ChangeList changes={emulated} total={total('emulated')} />
          </span>
        </div>
      ) : null}
    </div>
  );
}

function ChangeList({
  changes,
  total,
}: {
  changes: readonly { bdf: string; pasid: number; kind: string }[];
  /** All changes of this cache in the step (the list may hold only the first). */
  total: number;
}) {
  const all = Math.max(total, changes.length);
  if (all === 0) return <b>no change</b>;
  const shown = changes.slice(0, 4);
  return (
    <>
      {shown.map((c, i) => (
        <span key={i} className={`badge ${c.kind}`} style={{ marginRight: 3 }}>
          {c.kind} {c.bdf}/{c.pasid}
        </span>
      ))}
      {all > shown.length ? <b>and {(all - shown.length).toLocaleString('en-US')} more</b> : null}
    </>
  );
}

// The invalidation composer: build a PASID-cache, context-cache or wait descriptor by its fields (or
// type raw words), see the encoded words live, submit it. Submitting appends an `invalidate` step to
// the scenario and re-runs it; the outcome of that step shows below.

import { useShallow } from 'zustand/react/shallow';
import {
  type CcGranularity,
  type ComposerMode,
  describeDescriptor,
  type PcGranularity,
  selectComposerWords,
  selectSelectedEntry,
  sidToBdf,
  useAppStore,
} from '../../state/index.ts';
import { decodePasidEntry } from '../../model/core.ts';
import { HexInput, NumberInput } from '../common/inputs.tsx';
import { formatWord } from '../common/numberText.ts';
import { RunOutcome } from './RunOutcome.tsx';
import { PiotlbForm } from './PiotlbForm.tsx';
import { piotlbMeaning } from './piotlbText.ts';
import { PredictButton } from '../teaching/PredictButton.tsx';

const MODES: readonly { value: ComposerMode; label: string }[] = [
  { value: 'pasid-cache', label: 'PASID-cache (type 7)' },
  { value: 'piotlb', label: 'PASID-IOTLB (type 6)' },
  { value: 'context-cache', label: 'Context-cache (type 1)' },
  { value: 'wait', label: 'Invalidation wait (type 5)' },
  { value: 'raw', label: 'Raw words' },
];

export function InvalidationComposer() {
  const composer = useAppStore((s) => s.composer);
  const setComposer = useAppStore((s) => s.setComposer);
  const submit = useAppStore((s) => s.submitInvalidation);
  const clearIqe = useAppStore((s) => s.clearIqe);
  const words = useAppStore((s) => selectComposerWords(s.composer));
  const devices = useAppStore(useShallow((s) => s.scenario.devices.map((d) => d.bdf)));
  const selected = useAppStore(selectSelectedEntry);
  const iqe = useAppStore((s) => s.run?.caches.iqe ?? false);
  const queueWidth = useAppStore((s) => s.scenario.iommu.queueWidth);

  const selectedPasid =
    selected?.ok && selected.entry.kind === 'pasid' && selected.entry.ref.kind === 'pasid'
      ? { pasid: selected.entry.ref.pasid, did: decodePasidEntry(selected.entry.words).did }
      : undefined;

  return (
    <section className="panel composer-panel" aria-label="Invalidation composer">
      <div className="panel-head">
        <h2>Invalidate</h2>
        <span className="aside">
          <label htmlFor="composer-mode" className="visually-hidden">
            Descriptor
          </label>
          <select
            id="composer-mode"
            value={composer.mode}
            onChange={(e) => setComposer({ mode: e.currentTarget.value as ComposerMode })}
          >
            {MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </span>
      </div>
      <div className="panel-body composer-body">
        {composer.mode === 'pasid-cache' ? (
          <div className="composer-row">
            <div className="fieldbox">
              <label htmlFor="cmp-g">Granularity</label>
              <select
                id="cmp-g"
                value={composer.granularity}
                onChange={(e) =>
                  setComposer({ granularity: e.currentTarget.value as PcGranularity })
                }
              >
                <option value="domain">Domain-selective</option>
                <option value="pasid">PASID-selective</option>
                <option value="global">Global</option>
              </select>
            </div>
            <div className="fieldbox">
              <label htmlFor="cmp-did">Domain ID</label>
              <NumberInput
                id="cmp-did"
                value={composer.did}
                max={0xffff}
                commitWhileTyping
                disabled={composer.granularity === 'global'}
                onCommit={(did) => setComposer({ did })}
              />
            </div>
            <div className="fieldbox">
              <label htmlFor="cmp-pasid">PASID</label>
              <NumberInput
                id="cmp-pasid"
                value={composer.pasid}
                max={0xfffff}
                commitWhileTyping
                disabled={composer.granularity !== 'pasid'}
                onCommit={(pasid) => setComposer({ pasid })}
              />
            </div>
            {selectedPasid ? (
              <button
                type="button"
                className="btn small"
                title="Fill in the selected PASID entry's DID and PASID"
                onClick={() => setComposer({ did: selectedPasid.did, pasid: selectedPasid.pasid })}
              >
                Use selected (DID {selectedPasid.did}, PASID {selectedPasid.pasid})
              </button>
            ) : null}
          </div>
        ) : null}

        {composer.mode === 'piotlb' ? <PiotlbForm composer={composer} /> : null}

        {composer.mode === 'context-cache' ? (
          <div className="composer-row">
            <div className="fieldbox">
              <label htmlFor="cmp-ccg">Context granularity</label>
              <select
                id="cmp-ccg"
                value={composer.ccGranularity}
                onChange={(e) =>
                  setComposer({ ccGranularity: e.currentTarget.value as CcGranularity })
                }
              >
                <option value="global">Global</option>
                <option value="domain">Domain-selective</option>
                <option value="device">Device-selective</option>
              </select>
            </div>
            <div className="fieldbox">
              <label htmlFor="cmp-ccdid">Context DID</label>
              <NumberInput
                id="cmp-ccdid"
                value={composer.ccDid}
                max={0xffff}
                commitWhileTyping
                disabled={composer.ccGranularity !== 'domain'}
                onCommit={(ccDid) => setComposer({ ccDid })}
              />
            </div>
            <div className="fieldbox">
              <label htmlFor="cmp-sid">Source device</label>
              <select
                id="cmp-sid"
                value={sidToBdf(composer.ccSid)}
                disabled={composer.ccGranularity !== 'device'}
                onChange={(e) => {
                  const [bus = '0', rest = '0.0'] = e.currentTarget.value.split(':');
                  const [dev = '0', fn = '0'] = rest.split('.');
                  setComposer({
                    ccSid: (parseInt(bus, 16) << 8) | (parseInt(dev, 16) << 3) | parseInt(fn, 16),
                  });
                }}
              >
                {[...new Set([sidToBdf(composer.ccSid), ...devices])].map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
            </div>
            <div className="fieldbox">
              <label htmlFor="cmp-fm">Function mask</label>
              <select
                id="cmp-fm"
                value={composer.ccFm}
                disabled={composer.ccGranularity !== 'device'}
                onChange={(e) => setComposer({ ccFm: Number(e.currentTarget.value) })}
              >
                {[0, 1, 2, 3].map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </div>
          </div>
        ) : null}

        {composer.mode === 'wait' ? (
          <div className="composer-row">
            {(
              [
                ['waitSw', 'Status write (SW)'],
                ['waitIf', 'Interrupt (IF)'],
                ['waitFn', 'Fence (FN)'],
              ] as const
            ).map(([k, label]) => (
              <label key={k} className="header-group" style={{ fontSize: 'var(--fs-sm)' }}>
                <input
                  type="checkbox"
                  checked={composer[k]}
                  onChange={(e) => setComposer({ [k]: e.currentTarget.checked })}
                />
                {label}
              </label>
            ))}
            <div className="fieldbox">
              <label htmlFor="cmp-wd">Status data</label>
              <NumberInput
                id="cmp-wd"
                value={composer.waitData}
                max={0xffffffff}
                commitWhileTyping
                onCommit={(waitData) => setComposer({ waitData })}
              />
            </div>
            <div className="fieldbox">
              <label htmlFor="cmp-wa">Status address</label>
              <HexInput
                id="cmp-wa"
                className="wide"
                value={composer.waitAddr}
                commitWhileTyping
                onCommit={(waitAddr) => setComposer({ waitAddr })}
              />
            </div>
          </div>
        ) : null}

        {composer.mode === 'raw' ? (
          <div className="composer-row" style={{ flexDirection: 'column', alignItems: 'stretch' }}>
            <div
              className="fieldbox"
              style={{ flexDirection: 'row', gap: 8, alignItems: 'center' }}
            >
              <label htmlFor="cmp-width">Width</label>
              <select
                id="cmp-width"
                value={composer.rawWidth}
                onChange={(e) =>
                  setComposer({ rawWidth: e.currentTarget.value === '128' ? 128 : 256 })
                }
              >
                <option value="256">256-bit (4 words)</option>
                <option value="128">128-bit (2 words)</option>
              </select>
            </div>
            {composer.raw.slice(0, composer.rawWidth === 128 ? 2 : 4).map((w, i) => (
              <div className="word-row" key={i} style={{ gridTemplateColumns: '44px 190px' }}>
                <label htmlFor={`cmp-raw-${i}`}>val[{i}]</label>
                <HexInput
                  id={`cmp-raw-${i}`}
                  label={`Descriptor val[${i}]`}
                  value={w}
                  digits={16}
                  commitWhileTyping
                  onCommit={(v) =>
                    setComposer({ raw: composer.raw.map((x, k) => (k === i ? v : x)) })
                  }
                />
              </div>
            ))}
          </div>
        ) : null}

        <div>
          {composer.mode === 'raw' ? null : (
            <dl className="encoded" aria-label="Encoded descriptor">
              {words.map((w, i) => (
                <div key={i} className="word">
                  <dt>val[{i}]</dt>
                  <dd>{formatWord(w)}</dd>
                </div>
              ))}
            </dl>
          )}
          <div className="decoded-line">{describeDescriptor(words)}</div>
          {composer.mode === 'piotlb'
            ? piotlbMeaning(words, queueWidth).map((line) => (
                <div key={line} className="decoded-line">
                  {line}
                </div>
              ))
            : null}
        </div>

        <div className="actions">
          <button type="button" className="btn primary" onClick={() => submit(words)}>
            Submit invalidation
          </button>
          <PredictButton words={words} />
          <button
            type="button"
            className="btn"
            title="The guest writes FSTS to clear the invalidation queue error"
            onClick={() => clearIqe()}
          >
            Clear IQE
          </button>
          {iqe ? <span className="badge error">IQE set: later descriptors are blocked</span> : null}
        </div>
        <RunOutcome />
      </div>
    </section>
  );
}

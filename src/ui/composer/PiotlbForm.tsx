// The PASID-based IOTLB descriptor (type 6) by its fields: granularity, DID, PASID and, for a
// page-selective one, the address, address mask and invalidation hint — the fields QEMU's
// vtd_process_piotlb_desc reads. The words are the model's encoding (encodePiotlbDescriptor), the
// same a scenario file's `"type": "piotlb"` step makes; what QEMU does with them is said below.

import { useId } from 'react';
import {
  type ComposerState,
  type PiotlbComposerGranularity,
  useAppStore,
} from '../../state/index.ts';
import { PIOTLB_MAX_AM } from '../../model/core.ts';
import { DraftInput } from '../common/DraftInput.tsx';
import { NumberInput } from '../common/inputs.tsx';
import { formatHex } from '../common/numberText.ts';
import { parsePiotlbAddr } from './piotlbText.ts';

export function PiotlbForm({ composer }: { readonly composer: ComposerState }) {
  const setComposer = useAppStore((s) => s.setComposer);
  const hintId = useId();
  const page = composer.piotlbGranularity === 'page';
  return (
    <div className="composer-row">
      <div className="fieldbox">
        <label htmlFor="cmp-pg">Granularity</label>
        <select
          id="cmp-pg"
          value={composer.piotlbGranularity}
          onChange={(e) =>
            setComposer({
              piotlbGranularity: e.currentTarget.value as PiotlbComposerGranularity,
            })
          }
        >
          <option value="pasid">All of the PASID (2)</option>
          <option value="page">Page-selective (3)</option>
        </select>
      </div>
      <div className="fieldbox">
        <label htmlFor="cmp-pdid">Domain ID</label>
        <NumberInput
          id="cmp-pdid"
          value={composer.piotlbDid}
          max={0xffff}
          commitWhileTyping
          onCommit={(piotlbDid) => setComposer({ piotlbDid })}
        />
      </div>
      <div className="fieldbox">
        <label htmlFor="cmp-ppasid">PASID</label>
        <NumberInput
          id="cmp-ppasid"
          value={composer.piotlbPasid}
          max={0xfffff}
          commitWhileTyping
          onCommit={(piotlbPasid) => setComposer({ piotlbPasid })}
        />
      </div>
      <div className="fieldbox">
        <label htmlFor="cmp-paddr">Address</label>
        <DraftInput<bigint>
          id="cmp-paddr"
          className="mono wide"
          value={composer.piotlbAddr}
          format={(v) => formatHex(v, 0)}
          parse={parsePiotlbAddr}
          commitWhileTyping
          disabled={!page}
          describedBy={hintId}
          onCommit={(piotlbAddr) => setComposer({ piotlbAddr })}
        />
      </div>
      <div className="fieldbox">
        <label htmlFor="cmp-pam">Address mask</label>
        <NumberInput
          id="cmp-pam"
          value={composer.piotlbAm}
          max={63}
          commitWhileTyping
          disabled={!page}
          describedBy={hintId}
          onCommit={(piotlbAm) => setComposer({ piotlbAm })}
        />
      </div>
      <label className="header-group" style={{ fontSize: 'var(--fs-sm)' }}>
        <input
          type="checkbox"
          checked={composer.piotlbIh}
          disabled={!page}
          onChange={(e) => setComposer({ piotlbIh: e.currentTarget.checked })}
        />
        Leaf only (IH)
      </label>
      <span id={hintId} className="hint">
        {page
          ? `2^mask pages from the address; QEMU refuses a mask above ${PIOTLB_MAX_AM.toString()}.`
          : 'The whole PASID: QEMU ignores the address fields (written as zero).'}
      </span>
    </div>
  );
}

// The IOMMU's properties and the guest's register state, each with what QEMU does with it. A
// combination QEMU refuses to start with is allowed here but explained, and the run says so.

import type { ReactNode } from 'react';
import { useAppStore } from '../../state/index.ts';
import { HexInput, NumberInput } from '../common/inputs.tsx';

function Setting({
  id,
  label,
  control,
  explain,
  refused,
}: {
  id: string;
  label: string;
  control: ReactNode;
  explain: string;
  refused?: string | undefined;
}) {
  return (
    <div className="setting">
      <div className="setting-row">
        <label htmlFor={id}>{label}</label>
        <span className="value">{control}</span>
      </div>
      <div className="explain">{explain}</div>
      {refused ? (
        <div className="refused" role="note">
          ✕ {refused}
        </div>
      ) : null}
    </div>
  );
}

export function IommuSettings() {
  const iommu = useAppStore((s) => s.scenario.iommu);
  const devices = useAppStore((s) => s.scenario.devices);
  const setIommu = useAppStore((s) => s.setIommu);
  const legacy = devices.filter((d) => d.backend === 'vfio-legacy').map((d) => d.bdf);

  return (
    <div className="panel-body">
      <Setting
        id="set-sm"
        label="Scalable mode"
        control={
          <input
            id="set-sm"
            type="checkbox"
            checked={iommu.scalableMode}
            onChange={(e) => setIommu({ scalableMode: e.currentTarget.checked })}
          />
        }
        explain="scalable-mode: sets ECAP.SMTS; without it there are no PASID tables and no PASID-cache sync."
        refused={
          !iommu.scalableMode && iommu.fsts
            ? 'QEMU refuses fsts without scalable mode.'
            : !iommu.scalableMode && iommu.pasidBits > 0
              ? 'QEMU refuses pasid-bits without scalable mode.'
              : undefined
        }
      />
      <Setting
        id="set-fsts"
        label="First-stage translation (fsts)"
        control={
          <input
            id="set-fsts"
            type="checkbox"
            checked={iommu.fsts}
            onChange={(e) => setIommu({ fsts: e.currentTarget.checked })}
          />
        }
        explain="fsts: ECAP.FSTS instead of SSTS, so PGTT 1 and 4 are accepted (not 2); enables the accel path for iommufd devices."
        refused={
          iommu.fsts && iommu.awBits !== 48
            ? 'QEMU refuses fsts unless aw-bits is 48.'
            : iommu.fsts && legacy.length > 0
              ? `QEMU refuses fsts with a vfio-legacy device (${legacy.join(', ')}): "Need IOMMUFD backend when fsts=on".`
              : undefined
        }
      />
      <Setting
        id="set-pasid-bits"
        label="PASID bits"
        control={
          <NumberInput
            id="set-pasid-bits"
            value={iommu.pasidBits}
            max={20}
            onCommit={(v) => setIommu({ pasidBits: v })}
          />
        }
        explain="pasid-bits (0–20): ECAP.PSS; a domain-selective or global accel walk covers PASIDs [0, 2^pasid-bits). 0 means PASID 0 only."
      />
      <Setting
        id="set-svm"
        label="Shared virtual memory (svm)"
        control={
          <input
            id="set-svm"
            type="checkbox"
            checked={iommu.svm ?? false}
            onChange={(e) => setIommu({ svm: e.currentTarget.checked })}
          />
        }
        explain="svm: ECAP.PDS, so the wait descriptor's PD bit is no longer reserved; in the series a first-stage bind of a device whose context entry has PRE first allocates a fault queue on the host (iommufd_backend_alloc_faultq)."
        refused={
          iommu.svm && !iommu.fsts
            ? 'QEMU refuses svm without fsts.'
            : iommu.svm && iommu.pasidBits === 0
              ? 'QEMU refuses svm with pasid-bits 0.'
              : undefined
        }
      />
      <Setting
        id="set-aw"
        label="Address width (aw-bits)"
        control={
          <select
            id="set-aw"
            value={iommu.awBits}
            onChange={(e) => setIommu({ awBits: e.currentTarget.value === '39' ? 39 : 48 })}
          >
            <option value="39">39</option>
            <option value="48">48</option>
          </select>
        }
        explain="aw-bits: CAP.SAGAW (3-level, plus 4-level with 48) and the reserved-bit masks of root and context entries."
      />
      <Setting
        id="set-qw"
        label="Queue width"
        control={
          <select
            id="set-qw"
            value={iommu.queueWidth}
            onChange={(e) => setIommu({ queueWidth: e.currentTarget.value === '128' ? 128 : 256 })}
          >
            <option value="128">128-bit</option>
            <option value="256">256-bit</option>
          </select>
        }
        explain="IQA.DW: 256-bit descriptors need scalable mode (or fsts); in a 128-bit queue every PASID-cache descriptor is rejected with IQE."
      />
      <Setting
        id="set-rta"
        label="Root table address"
        control={
          <HexInput
            id="set-rta"
            value={iommu.rootTableAddr}
            onCommit={(v) => setIommu({ rootTableAddr: v })}
          />
        }
        explain="RTADDR: QEMU masks it to the address width and 4 KiB; each bus has a 16-byte root entry there."
      />
      <Setting
        id="set-smt"
        label="Root table is scalable (SMT)"
        control={
          <input
            id="set-smt"
            type="checkbox"
            checked={iommu.rootScalable}
            onChange={(e) => setIommu({ rootScalable: e.currentTarget.checked })}
          />
        }
        explain="RTADDR.SMT as latched by SRTP (counts only with scalable mode): without it vtd_pasid_cache_sync returns at once and lookups fail with 0x31."
      />
      <Setting
        id="set-te"
        label="Translation enabled (TE)"
        control={
          <input
            id="set-te"
            type="checkbox"
            checked={iommu.dmarEnabled}
            onChange={(e) => setIommu({ dmarEnabled: e.currentTarget.checked })}
          />
        }
        explain="GCMD.TE (dmar_enabled): when off, vtd_pasid_cache_sync returns at once — neither cache is synced."
      />
      <Setting
        id="set-ram"
        label="Guest RAM size"
        control={
          <HexInput
            id="set-ram"
            value={iommu.guestRamBytes}
            onCommit={(v) => setIommu({ guestRamBytes: v })}
          />
        }
        explain="Guest RAM is [0, size): a DMA read beyond it fails (root 0x8, context 0x9, directory 0x50, PASID table 0x58)."
      />
    </div>
  );
}

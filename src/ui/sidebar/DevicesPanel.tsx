// The devices behind the IOMMU: add, remove, and set what QEMU knows about each.

import { parseBdf, useAppStore } from '../../state/index.ts';
import type { DeviceBackend, DeviceConfig } from '../../model/index.ts';
import { DraftInput } from '../common/DraftInput.tsx';
import { NumberInput } from '../common/inputs.tsx';

const BACKENDS: readonly { value: DeviceBackend; label: string }[] = [
  { value: 'iommufd', label: 'iommufd (passthrough, accel cache)' },
  { value: 'vfio-legacy', label: 'vfio-legacy (passthrough)' },
  { value: 'emulated', label: 'emulated' },
];

function parseList(text: string): { ok: true; value: number[] } | { ok: false; error: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const v = /^0x[0-9a-f]+$/i.test(p)
      ? parseInt(p.slice(2), 16)
      : /^\d+$/.test(p)
        ? Number(p)
        : NaN;
    if (!Number.isInteger(v) || v < 1 || v > 0xfffff) {
      return { ok: false, error: `"${p}" is not a PASID from 1 to 1048575.` };
    }
    out.push(v);
  }
  return { ok: true, value: out };
}

function DeviceCard({
  device,
  index,
  duplicate,
}: {
  device: DeviceConfig;
  index: number;
  duplicate: boolean;
}) {
  const updateDevice = useAppStore((s) => s.updateDevice);
  const removeDevice = useAppStore((s) => s.removeDevice);
  const fsts = useAppStore((s) => s.scenario.iommu.fsts);
  const id = `dev-${index}`;
  const passthrough = device.backend !== 'emulated';
  return (
    <div className="device-card" role="group" aria-label={`Device ${device.bdf}`}>
      <div className="device-card-head">
        <strong>{device.bdf}</strong>
        <span className="hint">{device.name ?? ''}</span>
        <button
          type="button"
          className="btn small danger"
          aria-label={`Remove device ${device.bdf}`}
          onClick={() => removeDevice(index)}
        >
          Remove
        </button>
      </div>
      <div className="form-grid">
        <label htmlFor={`${id}-bdf`}>BDF</label>
        <div className="control">
          <DraftInput<string>
            id={`${id}-bdf`}
            className="mono"
            value={device.bdf}
            format={(v) => v}
            parse={(t) => {
              const p = parseBdf(t);
              return p
                ? { ok: true, value: p.bdf }
                : { ok: false, error: 'Write it as BB:DD.F in hex, e.g. 00:02.0.' };
            }}
            onCommit={(bdf) => updateDevice(index, { bdf })}
          />
          {duplicate ? (
            <span className="field-error">Another device has this BDF: QEMU refuses the file.</span>
          ) : null}
        </div>
        <label htmlFor={`${id}-name`}>Name</label>
        <div className="control">
          <DraftInput<string>
            id={`${id}-name`}
            value={device.name ?? ''}
            format={(v) => v}
            parse={(t) => ({ ok: true, value: t })}
            onCommit={(name) => updateDevice(index, { name })}
          />
        </div>
        <label htmlFor={`${id}-backend`}>Backend</label>
        <div className="control">
          <select
            id={`${id}-backend`}
            value={device.backend}
            onChange={(e) =>
              updateDevice(index, { backend: e.currentTarget.value as DeviceBackend })
            }
          >
            {BACKENDS.map((b) => (
              <option key={b.value} value={b.value}>
                {b.label}
              </option>
            ))}
          </select>
          {device.backend === 'vfio-legacy' && fsts ? (
            <span className="field-error">
              QEMU refuses vfio-legacy with fsts on (&quot;Need IOMMUFD backend when fsts=on&quot;).
            </span>
          ) : (
            <span className="hint">
              {device.backend === 'iommufd'
                ? 'Gets an accel PASID cache (VTDAccelPASIDCacheEntry list) when fsts is on.'
                : device.backend === 'vfio-legacy'
                  ? 'Passthrough without iommufd: only its PASID-0 address space is synced.'
                  : 'Device model inside QEMU: address spaces for PASID 0 and the PASIDs below.'}
            </span>
          )}
        </div>
        <label htmlFor={`${id}-mpl`}>max_pasid_log2</label>
        <div className="control">
          <NumberInput
            id={`${id}-mpl`}
            value={device.maxPasidLog2}
            max={20}
            disabled={!passthrough}
            onCommit={(v) => updateDevice(index, { maxPasidLog2: v })}
          />
          <span className="hint">
            Host IOMMU cap of a passthrough device; the accel walk stops at 2^max_pasid_log2 (0 =
            PASID 0 only).
          </span>
        </div>
        {device.backend === 'emulated' ? (
          <>
            <label htmlFor={`${id}-as`}>PASID address spaces</label>
            <div className="control">
              <DraftInput<number[]>
                id={`${id}-as`}
                className="mono"
                value={[...device.pasidAddressSpaces]}
                format={(v) => v.join(', ')}
                parse={parseList}
                onCommit={(list) => updateDevice(index, { pasidAddressSpaces: list })}
              />
              <span className="hint">
                PASIDs besides 0 the device model created address spaces for (comma separated).
              </span>
            </div>
          </>
        ) : null}
      </div>
    </div>
  );
}

export function DevicesPanel() {
  const devices = useAppStore((s) => s.scenario.devices);
  const addDevice = useAppStore((s) => s.addDevice);
  const counts = new Map<string, number>();
  for (const d of devices) counts.set(d.bdf, (counts.get(d.bdf) ?? 0) + 1);
  return (
    <div className="panel-body">
      <div className="actions" style={{ marginBottom: 8 }}>
        <button type="button" className="btn" onClick={() => addDevice('iommufd')}>
          + iommufd device
        </button>
        <button type="button" className="btn" onClick={() => addDevice('emulated')}>
          + emulated device
        </button>
      </div>
      {devices.length === 0 ? <div className="empty">No devices.</div> : null}
      {devices.map((d, i) => (
        <DeviceCard key={i} device={d} index={i} duplicate={(counts.get(d.bdf) ?? 0) > 1} />
      ))}
    </div>
  );
}

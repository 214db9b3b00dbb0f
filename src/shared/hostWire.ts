// One iommufd device's host state as the worker sends it: columns in typed arrays (transferred),
// not thousands of small objects. A 2^20-PASID device lists 2,048 attachments and 2,048 objects;
// over 8 devices, copying them as objects cost the page ~20 ms of deserialisation and garbage in the
// task that receives the run. The page unpacks a device the first time something reads it.

import type { HostDeviceState } from '../model/core.ts';

type HostObject = HostDeviceState['objects'][number];

export interface HostColumns {
  /** Attachments, PASIDs ascending, and the hwpt each is attached to. */
  readonly attachedPasid: Float64Array;
  readonly attachedHwpt: Float64Array;
  /** Objects, ids ascending. */
  readonly objectId: Float64Array;
  readonly objectPasid: Float64Array;
  /** Per object: bit 0 a fault queue (else a hwpt), bit 1 leaked. */
  readonly objectBits: Uint8Array;
  readonly totals?: HostDeviceState['totals'];
}

const FAULTQ = 1;
const LEAKED = 2;

export function hostToColumns(state: HostDeviceState): HostColumns {
  const attached = Object.entries(state.attached);
  const objects = state.objects;
  const columns: HostColumns = {
    attachedPasid: Float64Array.from(attached, ([pasid]) => Number(pasid)),
    attachedHwpt: Float64Array.from(attached, ([, hwpt]) => hwpt),
    objectId: Float64Array.from(objects, (o) => o.id),
    objectPasid: Float64Array.from(objects, (o) => o.pasid),
    objectBits: Uint8Array.from(
      objects,
      (o) => (o.type === 'faultq' ? FAULTQ : 0) | (o.leaked ? LEAKED : 0),
    ),
  };
  return state.totals ? { ...columns, totals: state.totals } : columns;
}

export function hostFromColumns(c: HostColumns): HostDeviceState {
  const attached: Record<string, number> = {};
  for (let i = 0; i < c.attachedPasid.length; i++) {
    attached[String(c.attachedPasid[i])] = c.attachedHwpt[i] ?? 0;
  }
  const objects: HostObject[] = [];
  for (let i = 0; i < c.objectId.length; i++) {
    const bits = c.objectBits[i] ?? 0;
    objects.push({
      id: c.objectId[i] ?? 0,
      type: bits & FAULTQ ? 'faultq' : 'hwpt',
      pasid: c.objectPasid[i] ?? 0,
      leaked: (bits & LEAKED) !== 0,
    });
  }
  return c.totals ? { attached, objects, totals: c.totals } : { attached, objects };
}

export function hostColumnBuffers(c: HostColumns): ArrayBuffer[] {
  return [c.attachedPasid, c.attachedHwpt, c.objectId, c.objectPasid, c.objectBits].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/**
 * Every device's host state, each unpacked from its columns on first read (an enumerable getter,
 * so that `Object.keys`, spreading and JSON see an ordinary record).
 */
export function lazyHostStates(
  wire: Readonly<Record<string, HostColumns>>,
): Readonly<Record<string, HostDeviceState>> {
  const out: Record<string, HostDeviceState> = {};
  for (const [bdf, columns] of Object.entries(wire)) {
    let state: HostDeviceState | undefined;
    Object.defineProperty(out, bdf, {
      enumerable: true,
      get: () => (state ??= hostFromColumns(columns)),
    });
  }
  return out;
}

// What the host's iommufd holds for one device after a trace event, replayed from the trace's
// HostCall events (and the accel removals that drop QEMU's record of an entry's ids), so that the
// views (the walk's host lane, the host table) follow the page's one clock like the caches do. The rules are host-side.md's: a successful attach
// replaces whatever the PASID had, a successful detach leaves it with nothing, a failed call
// changes nothing on the host; QEMU records an entry's new ids when its attach succeeds, and in the
// series an entry freed after a failed detach takes the only record of its hwpt with it (a leak).

import { HOST_CALLS_TRACED_PER_STEP } from '../qemu/iommufdHost.ts';
import type { Variant } from '../scenario/scenarioTypes.ts';
import { HostCallOp, TraceKind, type Trace } from '../trace/traceFormat.ts';
import { stepOfEvent } from '../trace/traceReader.ts';

/** The hwpt VFIO attached the device to at plug: the nesting parent (GPA→HPA). */
export const PARENT_HWPT = 1;

/**
 * new: allocated, not attached yet (an attach is under way); recorded: QEMU holds its id (the
 * entry's S1 hwpt / fault queue); superseded: a replacement was attached, it is freed next;
 * leaked: QEMU no longer holds its id anywhere and nothing will free it.
 */
export type HostObjectFate = 'new' | 'recorded' | 'superseded' | 'leaked';

export interface HostObjectView {
  readonly id: number;
  readonly type: 'hwpt' | 'faultq';
  /** The PASID it was allocated for. */
  readonly pasid: number;
  /** hwpt: the guest first-stage page-table pointer it was built from. */
  readonly pgtbl?: bigint;
  /** hwpt: the fault queue allocated with it (0: none). */
  readonly faultq: number;
  readonly fate: HostObjectFate;
}

/** The call at the cursor, when the cursor is on one of this device's host calls. */
export interface HostCallNow {
  readonly op: HostCallOp;
  readonly pasid: number;
  readonly id: number;
  readonly ok: boolean;
  readonly flags: number;
  readonly addr?: bigint;
}

export interface HostLaneState {
  /** PASID → hwpt, as the host holds it. Starts as { 0: 1 }. */
  readonly attached: ReadonlyMap<number, number>;
  /** Live objects QEMU allocated (the parent excluded), ascending id. */
  readonly objects: readonly HostObjectView[];
  /** PASIDs whose last bind (fault queue, alloc or attach) failed and was not followed by a success. */
  readonly bindFailed: ReadonlySet<number>;
  /** An object freed by the call at the cursor, as it was just before. */
  readonly freedNow?: HostObjectView;
  readonly now?: HostCallNow;
  /** Host calls of this device replayed. */
  readonly calls: number;
  /** A step before the cursor made more host calls than the trace keeps: the state may be short. */
  readonly truncated: boolean;
}

interface DeviceEvents {
  /** HostCall and AccelRemoved events of each device, ascending. */
  readonly byDevice: Map<number, number[]>;
  /** Steps whose HostCall events reached the trace's per-step cap. */
  readonly cappedSteps: readonly number[];
}

const memo = new WeakMap<Trace, DeviceEvents>();

function deviceEvents(trace: Trace): DeviceEvents {
  let m = memo.get(trace);
  if (m) return m;
  const byDevice = new Map<number, number[]>();
  const perStep = new Map<number, number>();
  for (let e = 0; e < trace.length; e++) {
    const k = trace.kind[e];
    if (k !== TraceKind.HostCall && k !== TraceKind.AccelRemoved) continue;
    const d = trace.device[e] ?? -1;
    let list = byDevice.get(d);
    if (!list) {
      list = [];
      byDevice.set(d, list);
    }
    list.push(e);
    if (k === TraceKind.HostCall) {
      const s = stepOfEvent(trace, e);
      perStep.set(s, (perStep.get(s) ?? 0) + 1);
    }
  }
  const cappedSteps = [...perStep]
    .filter(([, n]) => n >= HOST_CALLS_TRACED_PER_STEP)
    .map(([s]) => s)
    .sort((a, b) => a - b);
  m = { byDevice, cappedSteps };
  memo.set(trace, m);
  return m;
}

interface MutableObject {
  id: number;
  type: 'hwpt' | 'faultq';
  pasid: number;
  pgtbl?: bigint;
  faultq: number;
  fate: HostObjectFate;
}

/** The host state of device `d` (index into trace.devices) after event `cursor`. */
export function hostStateAt(
  trace: Trace,
  d: number,
  cursor: number,
  variant: Variant,
): HostLaneState {
  const { byDevice, cappedSteps } = deviceEvents(trace);
  const events = byDevice.get(d) ?? [];
  const attached = new Map<number, number>([[0, PARENT_HWPT]]);
  const objects = new Map<number, MutableObject>();
  /** Per PASID, the ids QEMU records (the entry's, or the seed's address space's). */
  const records = new Map<number, { hwpt: number; faultq: number }>();
  /** A fault queue allocated for the attach under way. */
  const pendingFaultq = new Map<number, number>();
  const bindFailed = new Set<number>();
  let freedNow: HostObjectView | undefined;
  let now: HostCallNow | undefined;
  let calls = 0;
  for (const e of events) {
    if (e > cursor) break;
    const p = trace.pasid[e] ?? 0;
    if (trace.kind[e] === TraceKind.AccelRemoved) {
      // The entry goes, and with it the series' only record of its ids (the seed keeps them in
      // the address space). Whatever is still allocated leaks.
      if (variant === 'seed') continue;
      const rec = records.get(p);
      for (const id of rec ? [rec.hwpt, rec.faultq] : []) {
        const o = objects.get(id);
        if (o) o.fate = 'leaked';
      }
      records.delete(p);
      bindFailed.delete(p);
      continue;
    }
    calls++;
    const op = (trace.a[e] ?? 0) as HostCallOp;
    const id = trace.b[e] ?? 0;
    const c = trace.c[e] ?? 0;
    const ok = (c & 1) === 1;
    const flags = c >>> 1;
    const addr =
      op === HostCallOp.Alloc || op === HostCallOp.Invalidate ? trace.addr[e] : undefined;
    if (e === cursor) {
      now = { op, pasid: p, id, ok, flags, ...(addr !== undefined ? { addr } : {}) };
    }
    switch (op) {
      case HostCallOp.Faultq:
        if (ok) {
          objects.set(id, { id, type: 'faultq', pasid: p, faultq: 0, fate: 'new' });
          pendingFaultq.set(p, id);
        } else bindFailed.add(p);
        break;
      case HostCallOp.Alloc:
        if (ok) {
          objects.set(id, {
            id,
            type: 'hwpt',
            pasid: p,
            ...(addr !== undefined ? { pgtbl: addr } : {}),
            faultq: pendingFaultq.get(p) ?? 0,
            fate: 'new',
          });
        } else {
          bindFailed.add(p);
        }
        break;
      case HostCallOp.Attach:
        if (ok) {
          attached.set(p, id);
          const old = records.get(p);
          for (const oid of old ? [old.hwpt, old.faultq] : []) {
            const o = objects.get(oid);
            if (o && oid !== id) o.fate = 'superseded';
          }
          const fq = id === PARENT_HWPT ? 0 : (pendingFaultq.get(p) ?? 0);
          records.set(p, { hwpt: id === PARENT_HWPT ? 0 : id, faultq: fq });
          for (const nid of [id, fq]) {
            const o = objects.get(nid);
            if (o) o.fate = 'recorded';
          }
          bindFailed.delete(p);
        } else {
          bindFailed.add(p);
        }
        pendingFaultq.delete(p);
        break;
      case HostCallOp.Detach:
        if (ok) attached.delete(p);
        break;
      case HostCallOp.Free: {
        const o = objects.get(id);
        if (o && e === cursor) freedNow = { ...o };
        objects.delete(id);
        const rec = records.get(p);
        if (rec && (rec.hwpt === id || rec.faultq === id)) {
          records.set(p, {
            hwpt: rec.hwpt === id ? 0 : rec.hwpt,
            faultq: rec.faultq === id ? 0 : rec.faultq,
          });
        }
        if (pendingFaultq.get(p) === id) pendingFaultq.delete(p);
        break;
      }
      case HostCallOp.Invalidate:
        break;
      default:
        break;
    }
  }
  const cursorStep = cursor >= 0 && trace.length > 0 ? stepOfEvent(trace, cursor) : 0;
  return {
    attached,
    objects: [...objects.values()].sort((a, b) => a.id - b.id).map((o) => ({ ...o })),
    bindFailed,
    ...(freedNow ? { freedNow } : {}),
    ...(now ? { now } : {}),
    calls,
    truncated: cappedSteps.some((s) => s <= cursorStep),
  };
}

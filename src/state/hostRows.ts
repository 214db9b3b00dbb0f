// The rows of one device's host table: what the host's iommufd holds for each PASID, and what
// QEMU believes (its cache), with the mismatches that only the host side shows spelled out.

import type { AppRun } from '../worker/protocol.ts';
import { PARENT_HWPT, hostStateAt, type HostDeviceState, type Variant } from '../model/core.ts';
import type { CacheView } from './cacheView.ts';

export type HostRowState = 'attached' | 'unbound' | 'bypass' | 'leaked';

export interface HostRow {
  readonly pasid: number;
  /** 0: none. */
  readonly hwpt: number;
  readonly kind: string;
  /** The first-stage page-table pointer the hwpt was allocated from, when known. */
  readonly pgtbl: string;
  readonly state: HostRowState;
  /** The state in words, with the consequence for the failures. */
  readonly text: string;
}

const PGTT_FIRST_STAGE = 1;

const allocations = new WeakMap<AppRun, Map<string, Map<number, string>>>();

/** Per device, the page-table pointer each hwpt was allocated from (one pass over the run's
 * host calls for all devices: a global sync over 8 devices lists 2^18 of them). */
function allocationsOf(run: AppRun): Map<string, Map<number, string>> {
  let byDevice = allocations.get(run);
  if (byDevice) return byDevice;
  byDevice = new Map();
  for (const step of run.result.steps) {
    for (const op of step.hostOps ?? []) {
      if (op.op !== 'alloc' || !op.ok) continue;
      let mine = byDevice.get(op.bdf);
      if (!mine) {
        mine = new Map();
        byDevice.set(op.bdf, mine);
      }
      mine.set(op.hwpt, op.pgtblAddr);
    }
  }
  allocations.set(run, byDevice);
  return byDevice;
}

/** Host rows of one iommufd device after the run, PASIDs ascending (leaked fault queues last). */
export function hostRows(run: AppRun | undefined, bdf: string, variant: Variant): HostRow[] {
  const host = run?.caches.host[bdf];
  if (!host) return [];
  // Where each hwpt came from: the allocations the run lists.
  const pgtblOf = allocationsOf(run).get(bdf) ?? new Map<number, string>();
  const objects = new Map(host.objects.map((o) => [o.id, o]));
  // QEMU's view: the accel entries it caches (the series binds them; the seed binds PASID 0 only),
  // read through the columns' PASID order (a 2^20-PASID device caches 16,384 of them).
  const accel = variant !== 'seed' ? run.caches.accel[bdf] : undefined;
  const cachedCount = accel?.length ?? 0;
  const cachedPasidAt = (k: number): number => accel?.pasid[accel.byPasid[k] ?? 0] ?? 0;
  // Each cached entry's first-stage table (val[2] & ~0xfff): where the hwpt of a long run whose
  // allocations the run does not list (RUN_MAX_CHANGES_PER_STEP) was allocated from — the series
  // attaches after every fill, so a bound entry's hwpt was made from the words it caches.
  const cachedTable = (k: number): bigint => {
    const at = 16 * (accel?.byPasid[k] ?? 0);
    const lo = ((accel?.halves[at + 4] ?? 0) & ~0xfff) >>> 0;
    return (BigInt(accel?.halves[at + 5] ?? 0) << 32n) | BigInt(lo);
  };
  const cachedPgtt = (k: number): number =>
    ((accel?.halves[16 * (accel.byPasid[k] ?? 0)] ?? 0) >>> 6) & 7;
  // Integer-like keys enumerate in ascending order. When the worker sent only the first
  // RUN_MAX_HOST_ROWS attachments (`totals`), rows stop at the last PASID it sent: beyond it a
  // cached PASID's attachment is unknown, not missing.
  const attachedPasids = Object.keys(host.attached).map(Number);
  const upTo = host.totals
    ? (attachedPasids[attachedPasids.length - 1] ?? -1)
    : Number.POSITIVE_INFINITY;
  const rows: HostRow[] = [];
  let a = 0;
  let k = 0;
  while (a < attachedPasids.length || (k < cachedCount && cachedPasidAt(k) <= upTo)) {
    const pa = attachedPasids[a] ?? Number.POSITIVE_INFINITY;
    const pc = k < cachedCount ? cachedPasidAt(k) : Number.POSITIVE_INFINITY;
    const pasid = Math.min(pa, pc);
    if (pasid > upTo) break;
    const hwpt = pa === pasid ? (host.attached[String(pasid)] ?? 0) : 0;
    const isCached = pc === pasid;
    const pgtt = isCached ? cachedPgtt(k) : undefined;
    const cachedAt = k;
    if (pa === pasid) a++;
    if (isCached) k++;
    const listed = hwpt > 1 ? pgtblOf.get(hwpt) : undefined;
    const table =
      listed !== undefined
        ? BigInt(listed)
        : hwpt > 1 && pgtt === PGTT_FIRST_STAGE
          ? cachedTable(cachedAt)
          : undefined;
    const short = table !== undefined ? `0x${table.toString(16)}` : '—';
    rows.push(hostRow(pasid, hwpt, pgtt, objects.get(hwpt)?.leaked === true, short, variant));
  }
  rows.push(...leakedFaultQueueRows(host));
  return rows;
}

/** How far the host table reads an accel list at the playhead for a PASID's PGTT (rarely needed). */
const CACHED_ROWS_READ = 4096;

export function hostRowsAt(
  run: AppRun | undefined,
  bdf: string,
  variant: Variant,
  cursor: number,
  view: CacheView,
): readonly HostRow[] {
  if (!run) return [];
  const { trace } = run.result;
  const d = trace.devices.indexOf(bdf);
  if (cursor >= trace.length - 1 || d < 0 || !run.caches.host[bdf]) {
    return hostRowsOf(run, bdf, variant);
  }
  const st = hostStateAt(trace, d, cursor, variant);
  const host: HostDeviceState = {
    attached: Object.fromEntries([...st.attached].map(([p, h]) => [String(p), h])),
    objects: st.objects.map((o) => ({
      id: o.id,
      type: o.type,
      pasid: o.pasid,
      leaked: o.fate === 'leaked',
    })),
  };
  const pgtblOf = new Map<number, string>();
  for (const o of st.objects) {
    if (o.pgtbl !== undefined) pgtblOf.set(o.id, `0x${o.pgtbl.toString(16)}`);
  }
  // QEMU's view at the playhead: which of the PASIDs the host holds, or failed to bind, it caches
  // (the cache view's lookup, not a walk of a list that may hold 10^5 entries). The PGTT matters
  // only for a PASID left on the parent after a failed bind (a bypass): only those rows are read.
  const cached = new Map<number, number>();
  const table = view.accel.find((t) => t.device.bdf === bdf);
  if (table && variant !== 'seed') {
    for (const p of new Set([...st.attached.keys(), ...st.bindFailed])) {
      if (table.markOf(p)) cached.set(p, 0);
    }
    const need = new Set(
      [...cached.keys()].filter((p) => st.bindFailed.has(p) && st.attached.get(p) === PARENT_HWPT),
    );
    for (let i = 0; need.size > 0 && i < Math.min(table.rowCount, CACHED_ROWS_READ); i++) {
      const row = table.row(i);
      if (row.position !== undefined && need.delete(row.pasid)) cached.set(row.pasid, row.pgtt);
    }
  }
  return rowsOf(host, pgtblOf, cached, variant);
}

function rowsOf(
  host: HostDeviceState,
  pgtblOf: ReadonlyMap<number, string>,
  cached: ReadonlyMap<number, number>,
  variant: Variant,
): HostRow[] {
  const objects = new Map(host.objects.map((o) => [o.id, o]));
  const rows: HostRow[] = [];
  const attached = new Map(Object.entries(host.attached).map(([p, h]) => [Number(p), h]));
  const pasids = [...new Set([...attached.keys(), ...cached.keys()])].sort((a, b) => a - b);
  for (const pasid of pasids) {
    const hwpt = attached.get(pasid) ?? 0;
    const pgtt = cached.get(pasid);
    const pgtbl = hwpt > 1 ? (pgtblOf.get(hwpt) ?? '') : '';
    const short = pgtbl ? `0x${BigInt(pgtbl).toString(16)}` : '—';
    rows.push(hostRow(pasid, hwpt, pgtt, objects.get(hwpt)?.leaked === true, short, variant));
  }
  rows.push(...leakedFaultQueueRows(host));
  return rows;
}

/** One PASID's row: what the host has it on, read against what QEMU caches for it (`pgtt`, or
 * undefined when not cached), with the consequence of each mismatch in words. */
function hostRow(
  pasid: number,
  hwpt: number,
  pgtt: number | undefined,
  leaked: boolean,
  pgtbl: string,
  variant: Variant,
): HostRow {
  const kind = hwpt === 0 ? '—' : hwpt === 1 ? 'nesting parent (GPA→HPA)' : 'nested first stage';
  const row = { pasid, hwpt, kind, pgtbl };
  if (hwpt === 0) {
    return {
      ...row,
      state: 'unbound',
      text: 'entry cached, not bound: QEMU retries only when the guest entry changes',
    };
  }
  if (leaked) {
    return {
      ...row,
      state: 'leaked',
      text: 'still bound on the host, but QEMU dropped the entry: the hwpt leaks',
    };
  }
  if (hwpt === 1 && pgtt === PGTT_FIRST_STAGE) {
    return {
      ...row,
      state: 'bypass',
      text: "first-stage entry cached, but the host still has the GPA→HPA parent: DMA bypasses the guest's table",
    };
  }
  if (pgtt === undefined && variant !== 'seed' && pasid !== 0) {
    return { ...row, state: 'leaked', text: 'bound on the host with no cache entry left' };
  }
  return { ...row, state: 'attached', text: 'attached' };
}

/** The fault queues QEMU lost track of (listed after the PASIDs). */
function leakedFaultQueueRows(host: HostDeviceState): HostRow[] {
  return host.objects
    .filter((o) => o.type === 'faultq' && o.leaked)
    .map((o) => ({
      pasid: o.pasid,
      hwpt: o.id,
      kind: 'fault queue',
      pgtbl: '—',
      state: 'leaked',
      text: 'fault queue leaked (its read handler stays registered with the freed entry)',
    }));
}

const rowsByRun = new WeakMap<AppRun, Map<string, HostRow[]>>();

/** hostRows, kept per run, device and variant: the Caches panel redraws at every playhead move. */
export function hostRowsOf(run: AppRun, bdf: string, variant: Variant): readonly HostRow[] {
  let mine = rowsByRun.get(run);
  if (!mine) {
    mine = new Map();
    rowsByRun.set(run, mine);
  }
  const key = `${bdf} ${variant}`;
  let rows = mine.get(key);
  if (!rows) {
    rows = hostRows(run, bdf, variant);
    mine.set(key, rows);
  }
  return rows;
}

// A run as Chrome trace-event JSON, which Perfetto UI (ui.perfetto.dev) and chrome://tracing open.
// Time is the trace's own order, not wall time: one microsecond per model trace event, so a step
// is as wide as the work QEMU did in it.
//
//   process "vIOMMU (QEMU)"   thread "invalidation queue": one slice per scenario step (the
//                             descriptor, its words and outcome); one thread per device: one slice
//                             per QEMU function call (consecutive events of one function), with
//                             its PASID range, DIDs and outcomes as args
//   process "PASID caches"    one thread per cache and device: an instant event per cache change
//                             (created, updated, removed)
//   counters                  per step: directory reads, leaf reads, list compares
//   flows                     from each descriptor slice to the first call it caused on each device

import { descriptorTypeCode, descriptorTypeName } from '../invalidation/descriptorType.ts';
import { describeDescriptor } from '../report/describeDescriptor.ts';
import type { CacheChange, RunResult } from '../run/runTypes.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { QEMU_FUNCTIONS, QemuFn } from '../trace/traceFormat.ts';
import type { TraceEvent } from '../trace/traceReader.ts';
import { readTraceEvent, traceStepRange } from '../trace/traceReader.ts';

export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'C' | 's' | 'f' | 'M';
  readonly ts: number;
  readonly pid: number;
  readonly tid?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly id?: number;
  readonly bp?: 'e';
  readonly s?: 't' | 'p' | 'g';
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface ChromeTrace {
  readonly traceEvents: readonly ChromeTraceEvent[];
  readonly displayTimeUnit: 'ns';
  readonly otherData: Readonly<Record<string, string>>;
}

export const QEMU_PID = 1;
export const CACHES_PID = 2;
export const QUEUE_TID = 1;
/** Thread of device d in the QEMU process. */
export const deviceTid = (d: number): number => 100 + d;
/** Thread of a device's cache in the caches process. */
export const cacheTid = (cache: CacheChange['cache'], d: number): number =>
  (cache === 'accel' ? 1000 : 2000) + d;

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** The device an event is about, or -1. */
function deviceOf(ev: TraceEvent): number {
  return 'device' in ev && typeof ev.device === 'number' ? ev.device : -1;
}

/** The PASIDs an event covers: [first, last]. */
function pasidSpan(ev: TraceEvent): [number, number] | undefined {
  if ('firstPasid' in ev) {
    const n = 'count' in ev ? ev.count : 'chunks' in ev ? ev.end - ev.firstPasid : 1;
    return [ev.firstPasid, ev.firstPasid + Math.max(1, n) - 1];
  }
  if ('pasid' in ev) return [ev.pasid, ev.pasid];
  return undefined;
}

interface CallSlice {
  fn: number;
  device: number;
  start: number;
  end: number;
  pasids?: [number, number];
  dids: Set<number>;
  outcomes: Map<string, number>;
}

function addToSlice(slice: CallSlice, ev: TraceEvent): void {
  const span = pasidSpan(ev);
  if (span) {
    slice.pasids = slice.pasids
      ? [Math.min(slice.pasids[0], span[0]), Math.max(slice.pasids[1], span[1])]
      : span;
  }
  if ('did' in ev && ev.kind !== 'EmuSkip') slice.dids.add(ev.did);
  slice.outcomes.set(ev.kind, (slice.outcomes.get(ev.kind) ?? 0) + 1);
  slice.end = ev.index + 1;
}

function sliceArgs(s: CallSlice, bdf: string | undefined): Record<string, unknown> {
  return {
    ...(bdf !== undefined ? { device: bdf } : {}),
    ...(s.pasids
      ? {
          pasids: s.pasids[0] === s.pasids[1] ? `${s.pasids[0]}` : `${s.pasids[0]}..${s.pasids[1]}`,
        }
      : {}),
    ...(s.dids.size ? { did: [...s.dids].join(', ') } : {}),
    outcome: Object.fromEntries(s.outcomes),
    events: s.end - s.start,
  };
}

/** Where a cache change happened: the first event of the step on that device and PASID. */
function changeTs(
  events: readonly TraceEvent[],
  c: CacheChange,
  device: number,
  end: number,
): number {
  const hit = events.find((ev) => {
    if (deviceOf(ev) !== device) return false;
    const span = pasidSpan(ev);
    return (
      span !== undefined &&
      span[0] <= c.pasid &&
      c.pasid <= span[1] &&
      /Created|Removed|Leaf|Accel|Emu/.test(ev.kind)
    );
  });
  return hit ? hit.index : Math.max(0, end - 1);
}

export function toPerfettoTrace(scenario: Scenario, result: RunResult): ChromeTrace {
  const { trace } = result;
  const out: ChromeTraceEvent[] = [];
  const meta = (
    pid: number,
    tid: number | undefined,
    name: string,
    args: Record<string, unknown>,
  ) => out.push({ name, ph: 'M', ts: 0, pid, ...(tid !== undefined ? { tid } : {}), args });
  meta(QEMU_PID, undefined, 'process_name', { name: 'vIOMMU (QEMU)' });
  meta(CACHES_PID, undefined, 'process_name', { name: 'PASID caches' });
  meta(QEMU_PID, QUEUE_TID, 'thread_name', { name: 'invalidation queue' });
  trace.devices.forEach((bdf, d) => {
    meta(QEMU_PID, deviceTid(d), 'thread_name', { name: `device ${bdf}` });
    meta(CACHES_PID, cacheTid('emulated', d), 'thread_name', { name: `emulated cache ${bdf}` });
    const dev = scenario.devices.find((x) => x.bdf === bdf);
    if (dev?.backend === 'iommufd') {
      meta(CACHES_PID, cacheTid('accel', d), 'thread_name', { name: `accel cache ${bdf}` });
    }
  });
  let reads = 0;
  let leafReads = 0;
  let compares = 0;
  scenario.steps.forEach((step, k) => {
    const { start, end } = traceStepRange(trace, k);
    const r = result.steps[k];
    const ts = start;
    const dur = Math.max(1, end - start);
    const name =
      step.op === 'invalidate'
        ? (descriptorTypeName(descriptorTypeCode(step.desc[0] ?? 0n)) ?? 'descriptor')
        : step.op;
    out.push({
      name: `${k + 1}. ${name}`,
      ph: 'X',
      ts,
      dur,
      pid: QEMU_PID,
      tid: QUEUE_TID,
      cat: 'step',
      args: {
        step: k + 1,
        what: step.op === 'invalidate' ? describeDescriptor(step.desc) : step.op,
        ...(step.op === 'invalidate' ? { desc: step.desc.map(hex) } : {}),
        ...(step.op === 'write' ? { addr: hex(step.addr), qwords: step.qwords.map(hex) } : {}),
        ...(step.note ? { note: step.note } : {}),
        status: r?.status ?? 'not run',
        ...(r?.error ? { error: r.error } : {}),
        changes: (r?.changes.length ?? 0) + (r?.changesOmitted ?? 0),
      },
    });
    const events: TraceEvent[] = [];
    for (let i = start; i < end; i++) events.push(readTraceEvent(trace, i));
    // One slice per QEMU function call: consecutive events of one function and device.
    const slices: CallSlice[] = [];
    let open: CallSlice | undefined;
    for (const ev of events) {
      if (ev.fn === QemuFn.guest) continue;
      const device = deviceOf(ev);
      if (!open || open.fn !== ev.fn || open.device !== device) {
        open = {
          fn: ev.fn,
          device,
          start: ev.index,
          end: ev.index + 1,
          dids: new Set(),
          outcomes: new Map(),
        };
        slices.push(open);
      }
      addToSlice(open, ev);
    }
    const reached = new Set<number>();
    for (const s of slices) {
      const tid = s.device >= 0 ? deviceTid(s.device) : QUEUE_TID;
      const fnName = QEMU_FUNCTIONS[s.fn as QemuFn].name;
      out.push({
        name: fnName,
        ph: 'X',
        ts: s.start,
        dur: s.end - s.start,
        pid: QEMU_PID,
        tid,
        cat: 'qemu',
        args: { step: k + 1, ...sliceArgs(s, trace.devices[s.device]) },
      });
      // The arrow goes from the descriptor to the first call it caused on each device.
      if (s.device >= 0 && !reached.has(s.device)) {
        reached.add(s.device);
        out.push({
          name: 'caused',
          ph: 's',
          ts,
          pid: QEMU_PID,
          tid: QUEUE_TID,
          cat: 'flow',
          id: k + 1,
        });
        out.push({
          name: 'caused',
          ph: 'f',
          bp: 'e',
          ts: s.start,
          pid: QEMU_PID,
          tid,
          cat: 'flow',
          id: k + 1,
        });
      }
    }
    for (const c of r?.changes ?? []) {
      const d = trace.devices.indexOf(c.bdf);
      out.push({
        name: `${c.kind} PASID ${c.pasid}`,
        ph: 'i',
        s: 't',
        ts: changeTs(events, c, d, end),
        pid: CACHES_PID,
        tid: cacheTid(c.cache, Math.max(0, d)),
        cat: 'cache',
        args: { step: k + 1, cache: c.cache, device: c.bdf, pasid: c.pasid, change: c.kind },
      });
    }
    const w = r?.accelWalk;
    if (w) {
      out.push({
        name: 'accel walk (this step)',
        ph: 'C',
        ts: start,
        pid: QEMU_PID,
        args: {
          'directory reads': w.dirReads,
          'leaf reads': w.entryReads,
          'list compares': w.listCompares,
        },
      });
      reads += w.dirReads;
      leafReads += w.entryReads;
      compares += w.listCompares;
    }
    out.push({
      name: 'accel walk (running total)',
      ph: 'C',
      ts: end,
      pid: QEMU_PID,
      args: { 'directory reads': reads, 'leaf reads': leafReads, 'list compares': compares },
    });
  });
  return {
    traceEvents: out,
    displayTimeUnit: 'ns',
    otherData: {
      generator: 'PASIDscope',
      scenario: scenario.title ?? 'Untitled scenario',
      variant: result.variant,
      time: 'one microsecond per model trace event (order, not wall time)',
    },
  };
}

// Test-only kit for the fidelity audit: builds raw-form scenario files with VT-d structures
// encoded here by hand from the spec (not with the model's codecs), runs them through the
// parser and the model, and returns the contract JSON. Never imported by product code.

import { toContractJson } from '../run/contractJson.ts';
import type { ContractJson } from '../run/contractJson.ts';
import { runScenario } from '../run/runScenario.ts';
import type { RunResult } from '../run/runTypes.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { Variant } from '../scenario/scenarioTypes.ts';
import { readTraceEvent, traceStepRange } from '../trace/traceReader.ts';

/** A 64-bit word as the contract prints it. */
export function h(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

/** Eight contract words; missing ones are zero. */
export function words8(ws: readonly bigint[]): string[] {
  return Array.from({ length: 8 }, (_, i) => h(ws[i] ?? 0n));
}

export const ZERO8 = words8([]);

export interface PasidEntryFields {
  /** P (bit 0); default true */
  readonly present?: boolean;
  /** PGTT (val[0] bits 8:6); default 4 (pass-through) */
  readonly pgtt?: number;
  /** DID (val[1] bits 15:0); default 1 */
  readonly did?: number;
  /** AW (val[0] bits 4:2) */
  readonly aw?: number;
  /** FSPM (val[2] bits 3:2) */
  readonly fspm?: number;
  /** Extra bits OR-ed into val[i]. */
  readonly extra?: Readonly<Record<number, bigint>>;
}

/** The eight words of a scalable-mode PASID table entry. */
export function pasidEntry(f: PasidEntryFields = {}): bigint[] {
  const w = [
    ((f.present ?? true) ? 1n : 0n) | (BigInt(f.aw ?? 0) << 2n) | (BigInt(f.pgtt ?? 4) << 6n),
    BigInt(f.did ?? 1),
    BigInt(f.fspm ?? 0) << 2n,
    0n,
    0n,
    0n,
    0n,
    0n,
  ];
  for (const [i, v] of Object.entries(f.extra ?? {})) w[Number(i)] = (w[Number(i)] ?? 0n) | v;
  return w;
}

export const ROOT = 0x1000n;
/** Lower / upper context tables of bus 0. */
export const CTX_LO = 0x2000n;
export const CTX_HI = 0x3000n;

/** Guest memory as a map of qwords, plus the standard bus-0 root entry. */
export class Guest {
  readonly q = new Map<bigint, bigint>();
  private nextTable = 0x100000n;

  constructor(standardRoot = true) {
    if (standardRoot) this.rootEntry(0, CTX_LO | 1n, CTX_HI | 1n);
  }

  set(addr: bigint, ...values: bigint[]): this {
    values.forEach((v, i) => this.q.set(addr + BigInt(8 * i), BigInt.asUintN(64, v)));
    return this;
  }

  rootEntry(bus: number, lo: bigint, hi: bigint): this {
    return this.set(ROOT + BigInt(bus) * 16n, lo, hi);
  }

  /** Address of the scalable-mode context entry of devfn on bus 0 (standard root). */
  static contextAddr(devfn: number): bigint {
    return (devfn > 127 ? CTX_HI : CTX_LO) + BigInt(devfn & 0x7f) * 32n;
  }

  /** A present context entry: val[0] = dir | PDTS << 9 | P (plus extra bits). */
  context(
    devfn: number,
    dir: bigint,
    pdts = 7,
    more: { val0?: bigint; val1?: bigint; val2?: bigint; val3?: bigint } = {},
  ): this {
    return this.set(
      Guest.contextAddr(devfn),
      dir | (BigInt(pdts) << 9n) | 1n | (more.val0 ?? 0n),
      more.val1 ?? 0n,
      more.val2 ?? 0n,
      more.val3 ?? 0n,
    );
  }

  /** Directory entry for `pasid`'s chunk: table | P. */
  dirEntry(dir: bigint, pasid: number, value: bigint): this {
    return this.set(dirEntryAddr(dir, pasid), value);
  }

  leaf(table: bigint, pasid: number, ws: readonly bigint[]): this {
    return this.set(leafAddr(table, pasid), ...ws);
  }

  /** A fresh 4 KiB page for a leaf table. */
  newTable(): bigint {
    const t = this.nextTable;
    this.nextTable += 0x1000n;
    return t;
  }

  blocks(): { addr: string; qwords: string[] }[] {
    return [...this.q.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([addr, v]) => ({ addr: h(addr), qwords: [h(v)] }));
  }
}

export function dirEntryAddr(dir: bigint, pasid: number): bigint {
  return dir + BigInt((pasid >> 6) & 0x3fff) * 8n;
}

export function leafAddr(table: bigint, pasid: number): bigint {
  return table + BigInt(pasid & 0x3f) * 64n;
}

/**
 * One device's PASID tables: a directory at `dir`, leaf tables allocated per 64-PASID chunk.
 * `entry` writes into the initial guest memory; `entryWrite` returns the write step instead.
 */
export class DeviceTables {
  private readonly tables = new Map<number, bigint>();
  readonly guest: Guest;
  readonly devfn: number;
  readonly dir: bigint;

  constructor(guest: Guest, devfn: number, dir: bigint, pdts = 7) {
    this.guest = guest;
    this.devfn = devfn;
    this.dir = dir;
    guest.context(devfn, dir, pdts);
  }

  tableOf(pasid: number): bigint {
    const chunk = pasid >> 6;
    let t = this.tables.get(chunk);
    if (t === undefined) {
      t = this.guest.newTable();
      this.tables.set(chunk, t);
      this.guest.dirEntry(this.dir, pasid, t | 1n);
    }
    return t;
  }

  leafAddr(pasid: number): bigint {
    return leafAddr(this.tableOf(pasid), pasid);
  }

  entry(pasid: number, f: PasidEntryFields = {}): this {
    this.guest.leaf(this.tableOf(pasid), pasid, pasidEntry(f));
    return this;
  }

  entryWrite(pasid: number, f: PasidEntryFields): Step {
    return write(this.leafAddr(pasid), pasidEntry(f));
  }
}

export type Step = Record<string, unknown>;

export function write(addr: bigint, qwords: readonly bigint[]): Step {
  return { op: 'write', addr: h(addr), qwords: qwords.map(h) };
}

export function raw(...ws: bigint[]): Step {
  return { op: 'invalidate', desc: ws.map(h) };
}

/** PASID-cache descriptor: 7 | G << 4 | DID << 16 | PASID << 32 (256-bit form). */
export function pc(g: number, did = 0, pasid = 0): Step {
  return raw(7n | (BigInt(g) << 4n) | (BigInt(did) << 16n) | (BigInt(pasid) << 32n), 0n, 0n, 0n);
}

export const dsi = (did: number): Step => pc(0, did);
export const psi = (did: number, pasid: number): Step => pc(1, did, pasid);
export const gsi = (): Step => pc(3);

/** Context-cache descriptor: 1 | G << 4 | DID << 16 | SID << 32 | FM << 48. */
export function cc(g: number, more: { did?: number; sid?: number; fm?: number } = {}): Step {
  return raw(
    1n |
      (BigInt(g) << 4n) |
      (BigInt(more.did ?? 0) << 16n) |
      (BigInt(more.sid ?? 0) << 32n) |
      (BigInt(more.fm ?? 0) << 48n),
    0n,
    0n,
    0n,
  );
}

/** Invalidation-wait descriptor: 5 | IF << 4 | SW << 5 | FN << 6 | data << 32; hi = address. */
export function wait(f: {
  iflag?: boolean;
  sw?: boolean;
  fn?: boolean;
  data?: number;
  addr?: bigint;
}): Step {
  const lo =
    5n |
    (f.iflag ? 1n << 4n : 0n) |
    (f.sw ? 1n << 5n : 0n) |
    (f.fn ? 1n << 6n : 0n) |
    (BigInt(f.data ?? 0) << 32n);
  return raw(lo, f.addr ?? 0n, 0n, 0n);
}

export const clearIqe = (): Step => ({ op: 'clearIqe' });

export interface DeviceSpec {
  readonly bdf: string;
  readonly backend?: 'iommufd' | 'vfio-legacy' | 'emulated';
  readonly maxPasidLog2?: number;
  readonly pasidAddressSpaces?: readonly number[];
}

export interface ScenarioSpec {
  readonly variant?: Variant;
  readonly iommu?: Readonly<Record<string, unknown>>;
  readonly devices: readonly DeviceSpec[];
  readonly guest: Guest;
  readonly steps: readonly Step[];
}

export function scenarioFile(s: ScenarioSpec): Record<string, unknown> {
  return {
    format: 'pasidscope-scenario',
    version: 1,
    variant: s.variant ?? 'seed',
    iommu: { rootTableAddr: h(ROOT), ...(s.iommu ?? {}) },
    devices: s.devices.map((d) => ({
      bdf: d.bdf,
      backend: d.backend ?? 'iommufd',
      maxPasidLog2: d.maxPasidLog2 ?? 0,
      ...(d.pasidAddressSpaces ? { pasidAddressSpaces: d.pasidAddressSpaces } : {}),
    })),
    memory: s.guest.blocks(),
    steps: s.steps,
  };
}

export interface AuditRun {
  readonly json: ContractJson;
  readonly result: RunResult;
}

export function runFile(file: unknown): AuditRun {
  const parsed = parseScenario(file);
  if (!parsed.ok) throw new Error(`scenario refused: ${JSON.stringify(parsed.errors)}`);
  const result = runScenario(parsed.scenario);
  return { json: toContractJson(result), result };
}

export function run(s: ScenarioSpec): AuditRun {
  return runFile(scenarioFile(s));
}

/** Fault codes of the emulated lookups (vtd_dev_get_pe_from_pasid) of one step, by AS PASID. */
export function emulatedLookupFaults(r: RunResult, step: number): Record<number, number> {
  const out: Record<number, number> = {};
  const { start, end } = traceStepRange(r.trace, step);
  for (let i = start; i < end; i++) {
    const e = readTraceEvent(r.trace, i);
    if (e.kind === 'LookupResult') out[e.pasid] = e.fault;
  }
  return out;
}

/** Fault code with which the accel replay skipped a device in this step (undefined: not skipped). */
export function accelSkipFault(r: RunResult, step: number): number | undefined {
  const { start, end } = traceStepRange(r.trace, step);
  for (let i = start; i < end; i++) {
    const e = readTraceEvent(r.trace, i);
    if (e.kind === 'AccelDeviceSkipped') return e.fault;
  }
  return undefined;
}

/** Kinds of the emulated-cache outcome events (Emu*) of one step for an address-space PASID. */
export function emulatedOutcomes(r: RunResult, step: number, pasid: number): string[] {
  const out: string[] = [];
  const { start, end } = traceStepRange(r.trace, step);
  for (let i = start; i < end; i++) {
    const e = readTraceEvent(r.trace, i);
    if (e.kind.startsWith('Emu') && 'pasid' in e && e.pasid === pasid) out.push(e.kind);
  }
  return out;
}

// Test support: builds small scenarios (root -> context -> directory -> tables) with a fixed,
// readable memory layout, so a test states only what it is about. Not used by the product.
//
// Layout: root table 0x10000; context tables 0x20000 + bus * 0x2000 (+ 0x1000 for devfn >= 128);
// device i's PASID directory at 0x100000 + i * 0x20000 (room for 16,384 entries); leaf tables
// allocated one page each from 0x1000000. Guest RAM 1 GiB unless told otherwise.

import { GuestMemory } from '../memory/guestMemory.ts';
import { encodePasidCacheInvDescriptor } from '../invalidation/pasidCacheDescriptor.ts';
import type { PcGranularity } from '../invalidation/pasidCacheDescriptor.ts';
import { encodeContextCacheDescriptor } from '../invalidation/contextCacheDescriptor.ts';
import type { CcGranularity } from '../invalidation/contextCacheDescriptor.ts';
import { encodeWaitDescriptor } from '../invalidation/waitDescriptor.ts';
import { runScenario } from '../run/runScenario.ts';
import type { RunResult } from '../run/runTypes.ts';
import type {
  DeviceBackend,
  DeviceConfig,
  IommuConfig,
  Scenario,
  ScenarioStep,
  Variant,
} from '../scenario/scenarioTypes.ts';
import { IOMMU_DEFAULTS } from '../scenario/scenarioTypes.ts';

export const ROOT_TABLE = 0x1_0000n;
const CONTEXT_BASE = 0x2_0000n;
const DIR_BASE = 0x10_0000n;
const TABLE_BASE = 0x100_0000n;

export interface EntryFields {
  readonly present?: boolean;
  readonly pgtt?: number;
  readonly did?: number;
  /** second-stage AW (level = AW + 2) */
  readonly aw?: number;
  readonly fspm?: number;
  readonly fpd?: boolean;
  /** first-stage page-table pointer (4 KiB aligned) */
  readonly fsptptr?: bigint;
  /** second-stage page-table pointer */
  readonly ssptptr?: bigint;
  /** extra bits for val[3..7] (compared by the 512-bit checks only) */
  readonly high?: readonly bigint[];
}

/** The 8 words of a PASID table entry. */
export function pasidEntryWords(f: EntryFields = {}): bigint[] {
  const present = f.present ?? true;
  const val0 =
    (present ? 1n : 0n) |
    (f.fpd ? 2n : 0n) |
    (BigInt((f.aw ?? 0) & 7) << 2n) |
    (BigInt((f.pgtt ?? 1) & 7) << 6n) |
    ((f.ssptptr ?? 0n) & ~0xfffn);
  const val1 = BigInt((f.did ?? 1) & 0xffff);
  const val2 = (BigInt((f.fspm ?? 0) & 3) << 2n) | ((f.fsptptr ?? 0n) & ~0xfffn);
  const out = [val0, val1, val2, 0n, 0n, 0n, 0n, 0n];
  (f.high ?? []).forEach((v, i) => {
    if (i + 3 < 8) out[i + 3] = v;
  });
  return out;
}

export interface DeviceOptions {
  readonly backend?: DeviceBackend;
  readonly maxPasidLog2?: number;
  readonly pasidAddressSpaces?: readonly number[];
  /** PDTS of the context entry (default 7: 2^20 PASIDs). */
  readonly pdts?: number;
  /** Skip the root / context entry set-up (the test writes its own). */
  readonly noContext?: boolean;
  /**
   * The PASID-0 entry the PASID-0 check needs; default: a valid entry of the type the IOMMU
   * accepts (first-stage with fsts, second-stage otherwise) with DID 1. false: none.
   */
  readonly pasid0?: EntryFields | false;
  /** Share another device's directory (its bdf). */
  readonly shareDirWith?: string;
}

interface DeviceLayout {
  readonly config: DeviceConfig;
  readonly dir: bigint;
  readonly pdts: number;
}

function parseBdf(bdf: string): { bus: number; devfn: number } {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(bdf);
  if (!m) throw new Error(`bad bdf ${bdf}`);
  const bus = parseInt(m[1] ?? '0', 16);
  const dev = parseInt(m[2] ?? '0', 16);
  const fn = parseInt(m[3] ?? '0', 16);
  return { bus, devfn: (dev << 3) | fn };
}

export class ScenarioBuilder {
  readonly iommu: IommuConfig;
  variant: Variant;
  private readonly devices: DeviceLayout[] = [];
  private readonly memory: GuestMemory;
  private readonly steps: ScenarioStep[] = [];
  private readonly tables = new Map<string, bigint>();
  private nextTable = TABLE_BASE;

  constructor(iommu: Partial<IommuConfig> = {}, variant: Variant = 'series') {
    this.iommu = {
      ...IOMMU_DEFAULTS,
      rootTableAddr: ROOT_TABLE,
      ...iommu,
    };
    this.variant = variant;
    this.memory = new GuestMemory(this.iommu.guestRamBytes);
  }

  /** Adds a device with a present root entry, a present context entry and a PASID-0 entry. */
  device(bdf: string, opts: DeviceOptions = {}): this {
    const { bus, devfn } = parseBdf(bdf);
    const backend = opts.backend ?? 'iommufd';
    const config: DeviceConfig = {
      bdf: bdf.toLowerCase(),
      bus,
      devfn,
      backend,
      maxPasidLog2: opts.maxPasidLog2 ?? (backend === 'emulated' ? 0 : 20),
      pasidAddressSpaces: opts.pasidAddressSpaces ?? [],
    };
    const shared = opts.shareDirWith
      ? this.devices.find((d) => d.config.bdf === opts.shareDirWith)
      : undefined;
    const dir = shared ? shared.dir : DIR_BASE + BigInt(this.devices.length) * 0x2_0000n;
    const layout: DeviceLayout = { config, dir, pdts: opts.pdts ?? 7 };
    this.devices.push(layout);
    if (!opts.noContext) {
      this.memory.writeQwords(this.rootEntryAddr(bus), this.rootEntryWords(bus));
      this.memory.writeQwords(this.contextEntryAddr(bdf), [
        dir | (BigInt(layout.pdts) << 9n) | 1n,
        0n,
        0n,
        0n,
      ]);
    }
    if (opts.pasid0 !== false && !shared) {
      const fields = opts.pasid0 ?? this.defaultEntry(1);
      this.setPasidEntry(bdf, 0, fields);
    }
    return this;
  }

  /** A valid entry of the kind the configured IOMMU accepts. */
  defaultEntry(did: number): EntryFields {
    return this.iommu.fsts ? { pgtt: 1, did } : { pgtt: 2, aw: 1, did };
  }

  private layout(bdf: string): DeviceLayout {
    const d = this.devices.find((x) => x.config.bdf === bdf.toLowerCase());
    if (!d) throw new Error(`no device ${bdf}`);
    return d;
  }

  rootEntryAddr(bus: number): bigint {
    return ROOT_TABLE + BigInt(bus) * 16n;
  }

  private rootEntryWords(bus: number): bigint[] {
    const lower = CONTEXT_BASE + BigInt(bus) * 0x2000n;
    return [lower | 1n, (lower + 0x1000n) | 1n];
  }

  contextEntryAddr(bdf: string): bigint {
    const { bus, devfn } = parseBdf(bdf);
    const table = CONTEXT_BASE + BigInt(bus) * 0x2000n + (devfn >= 128 ? 0x1000n : 0n);
    return table + BigInt(devfn & 0x7f) * 32n;
  }

  dirBase(bdf: string): bigint {
    return this.layout(bdf).dir;
  }

  dirEntryAddr(bdf: string, pasid: number): bigint {
    return this.layout(bdf).dir + BigInt((pasid >>> 6) & 0x3fff) * 8n;
  }

  /** The leaf table of the directory entry covering pasid (allocated on first use). */
  tableFor(bdf: string, pasid: number): bigint {
    const key = `${this.layout(bdf).dir}:${pasid >>> 6}`;
    let t = this.tables.get(key);
    if (t === undefined) {
      t = this.nextTable;
      this.nextTable += 0x1000n;
      this.tables.set(key, t);
    }
    return t;
  }

  pasidEntryAddr(bdf: string, pasid: number): bigint {
    return this.tableFor(bdf, pasid) + BigInt(pasid & 0x3f) * 64n;
  }

  // --- initial memory -------------------------------------------------------------------

  /** Initial memory: the PASID entry (and a present directory entry pointing at its table). */
  setPasidEntry(bdf: string, pasid: number, fields: EntryFields | readonly bigint[]): this {
    const table = this.tableFor(bdf, pasid);
    this.memory.writeQwords(this.dirEntryAddr(bdf, pasid), [table | 1n]);
    const words = Array.isArray(fields)
      ? [...(fields as readonly bigint[])]
      : pasidEntryWords(fields as EntryFields);
    this.memory.writeQwords(this.pasidEntryAddr(bdf, pasid), words);
    return this;
  }

  /** Initial memory: raw qwords anywhere. */
  setMemory(addr: bigint, qwords: readonly bigint[]): this {
    this.memory.writeQwords(addr, qwords);
    return this;
  }

  // --- steps ----------------------------------------------------------------------------

  write(addr: bigint, qwords: readonly bigint[]): this {
    this.steps.push({ op: 'write', addr, qwords: [...qwords] });
    return this;
  }

  /** A write step: the PASID entry (the directory entry must already point at its table). */
  writePasidEntry(bdf: string, pasid: number, fields: EntryFields | readonly bigint[]): this {
    const words = Array.isArray(fields)
      ? [...(fields as readonly bigint[])]
      : pasidEntryWords(fields as EntryFields);
    return this.write(this.pasidEntryAddr(bdf, pasid), words);
  }

  /** A write step that makes the directory entry covering pasid present (and the entry). */
  writePasidEntryWithDir(
    bdf: string,
    pasid: number,
    fields: EntryFields | readonly bigint[],
  ): this {
    this.write(this.dirEntryAddr(bdf, pasid), [this.tableFor(bdf, pasid) | 1n]);
    return this.writePasidEntry(bdf, pasid, fields);
  }

  invalidate(desc: readonly bigint[]): this {
    this.steps.push({ op: 'invalidate', desc: [...desc] });
    return this;
  }

  pc(granularity: PcGranularity, did = 0, pasid = 0): this {
    return this.invalidate(encodePasidCacheInvDescriptor({ granularity, did, pasid }));
  }

  global(): this {
    return this.pc(3);
  }

  dsi(did: number): this {
    return this.pc(0, did);
  }

  psi(did: number, pasid: number): this {
    return this.pc(1, did, pasid);
  }

  cc(
    granularity: CcGranularity,
    opts: { did?: number; sourceId?: number; functionMask?: number } = {},
  ): this {
    return this.invalidate(encodeContextCacheDescriptor({ granularity, ...opts }));
  }

  wait(statusAddr: bigint, statusData = 1): this {
    return this.invalidate(encodeWaitDescriptor({ statusWrite: true, statusData, statusAddr }));
  }

  clearIqe(): this {
    this.steps.push({ op: 'clearIqe' });
    return this;
  }

  build(): Scenario {
    return {
      variant: this.variant,
      iommu: this.iommu,
      devices: this.devices.map((d) => d.config),
      memory: this.memory.toBlocks(),
      steps: [...this.steps],
    };
  }

  run(variant?: Variant): RunResult {
    return runScenario(this.build(), variant ? { variant } : {});
  }
}

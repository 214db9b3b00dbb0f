// The mutable state the QEMU-mirroring functions share: IntelIOMMUState's relevant parts (caps,
// the address spaces with their VTDPASIDCacheEntry, the host IOMMU devices with their accel
// lists, FSTS.IQE), plus what the model records while it runs (trace, cache changes, counters).

import type { GuestMemory } from '../memory/guestMemory.ts';
import type { CacheChange, ChangeColumns, ChangeKind } from '../run/runTypes.ts';
import type { Variant } from '../scenario/scenarioTypes.ts';
import type { TraceBuilder } from '../trace/traceBuilder.ts';
import type { PcType } from '../trace/traceFormat.ts';
import type { AccelPasidCacheList } from './accelPasidCacheList.ts';
import type { HostFaultPlan, HostOpLog, IommufdHostDevice } from './iommufdHost.ts';
import { ReadLog } from './readLog.ts';
import type { VtdCaps } from './vtdCapInit.ts';
import { createLookupScratch } from './vtdPasidEntry.ts';
import type { LookupScratch } from './vtdPasidEntry.ts';

/** QEMU's VTDPASIDCacheInfo: zero-initialised. */
export interface VtdPasidCacheInfo {
  type: PcType;
  did: number;
  pasid: number;
  /** Series only: a PASID-selective removal happened for the device being processed. */
  accelPceDeleted: boolean;
}

/** One VTDAddressSpace and its VTDPASIDCacheEntry. */
export interface EmulatedAddressSpace {
  /** Index of the device in the scenario (and in Trace.devices). */
  readonly device: number;
  readonly bus: number;
  readonly devfn: number;
  readonly pasid: number;
  valid: boolean;
  /** The cached 512-bit entry as 16 halves; keeps its last contents when invalid. */
  readonly entry: Uint32Array;
}

/** One VTDHostIOMMUDevice on the iommufd backend. */
export interface AccelDevice {
  readonly device: number;
  readonly bus: number;
  readonly devfn: number;
  readonly maxPasidLog2: number;
  readonly list: AccelPasidCacheList;
  /** The device's host side: iommufd objects, attachments, and the ids QEMU records. */
  readonly host: IommufdHostDevice;
}

export interface WalkCounts {
  dirReads: number;
  entryReads: number;
  listCompares: number;
}

const CACHE_ACCEL = 0;
const CACHE_EMULATED = 1;
const CHANGE_KINDS: readonly ChangeKind[] = ['created', 'updated', 'removed'];
export const ChangeCode = { Created: 0, Updated: 1, Removed: 2 } as const;
export type ChangeCode = (typeof ChangeCode)[keyof typeof ChangeCode];

const LOG_CHUNK_SHIFT = 14;
/** Records per chunk. */
const LOG_CHUNK = 1 << LOG_CHUNK_SHIFT;
/** 32-bit words per record: first PASID, packed change, count. */
const RECORD = 3;

/** Packed change: device (16 bits) | cache (1 bit) << 16 | kind (2 bits) << 17. */
function packChange(cache: number, device: number, kind: number): number {
  return (device & 0xffff) | (cache << 16) | (kind << 17);
}

/**
 * Cache changes of one step, in the order they happen, without an object per change. A run of
 * changes of one kind to consecutive PASIDs of one cache and device (a walk creating a leaf
 * table's entries) is one record of three 32-bit words: first PASID, packed rest, count. Records
 * sit in fixed-size chunks that are reused from step to step.
 */
export class ChangeLog {
  private n = 0;
  private readonly chunks: Uint32Array[] = [new Uint32Array(RECORD * LOG_CHUNK)];
  private cur: Uint32Array;
  /** Records in the current chunk. */
  private fill = 0;
  private chunkIndex = 0;
  /** Records over all chunks. */
  private records = 0;

  constructor() {
    this.cur = this.chunks[0] ?? new Uint32Array(RECORD * LOG_CHUNK);
  }

  get length(): number {
    return this.n;
  }

  reset(): void {
    this.n = 0;
    this.fill = 0;
    this.records = 0;
    this.chunkIndex = 0;
    this.cur = this.chunks[0] ?? this.cur;
  }

  private push(packed: number, pasid: number): void {
    this.n++;
    if (this.fill > 0) {
      const last = RECORD * (this.fill - 1);
      const count = this.cur[last + 2] ?? 0;
      if (this.cur[last + 1] === packed && (this.cur[last] ?? 0) + count === pasid) {
        this.cur[last + 2] = count + 1;
        return;
      }
    }
    if (this.fill === LOG_CHUNK) {
      this.chunkIndex++;
      let next = this.chunks[this.chunkIndex];
      if (!next) {
        next = new Uint32Array(RECORD * LOG_CHUNK);
        this.chunks.push(next);
      }
      this.cur = next;
      this.fill = 0;
    }
    const i = RECORD * this.fill++;
    this.cur[i] = pasid;
    this.cur[i + 1] = packed;
    this.cur[i + 2] = 1;
    this.records++;
  }

  accel(device: number, pasid: number, kind: ChangeCode): void {
    this.push(packChange(CACHE_ACCEL, device, kind), pasid);
  }

  emulated(device: number, pasid: number, kind: ChangeCode): void {
    this.push(packChange(CACHE_EMULATED, device, kind), pasid);
  }

  /** Calls `visit` for every change in order (runs expanded) until it returns false. */
  private forEach(visit: (pasid: number, packed: number) => boolean): void {
    for (let r = 0; r < this.records; r++) {
      const chunk = this.chunks[r >>> LOG_CHUNK_SHIFT];
      const at = RECORD * (r & (LOG_CHUNK - 1));
      const first = chunk?.[at] ?? 0;
      const packed = chunk?.[at + 1] ?? 0;
      const count = chunk?.[at + 2] ?? 0;
      for (let k = 0; k < count; k++) if (!visit(first + k, packed)) return;
    }
  }

  /**
   * Every change as columns (no object per change): PASID, device index, cache (0 accel,
   * 1 emulated) and kind (0 created, 1 updated, 2 removed), in the order they happened.
   */
  columns(): ChangeColumns {
    const n = this.n;
    const pasid = new Uint32Array(n);
    const device = new Uint16Array(n);
    const cache = new Uint8Array(n);
    const kind = new Uint8Array(n);
    let i = 0;
    this.forEach((p, packed) => {
      pasid[i] = p;
      device[i] = packed & 0xffff;
      cache[i] = (packed >>> 16) & 1;
      kind[i] = (packed >>> 17) & 3;
      i++;
      return true;
    });
    return { length: n, pasid, device, cache, kind };
  }

  /** The first `limit` changes as contract objects. */
  materialize(bdfs: readonly string[], limit = Infinity): CacheChange[] {
    const out: CacheChange[] = [];
    const n = Math.min(this.n, limit);
    if (n === 0) return out;
    this.forEach((pasid, packed) => {
      out.push({
        cache: (packed >>> 16) & 1 ? 'emulated' : 'accel',
        bdf: bdfs[packed & 0xffff] ?? '',
        pasid,
        kind: CHANGE_KINDS[(packed >>> 17) & 3] ?? 'created',
      });
      return out.length < n;
    });
    return out;
  }
}

/** Scratch buffers, reused by every lookup. */
export interface VtdScratch {
  readonly lookup: LookupScratch;
  /** The entry buffer of the lookup in progress (QEMU's local `pe`). */
  readonly pe: Uint32Array;
  readonly log: ReadLog;
}

export function createScratch(): VtdScratch {
  return { lookup: createLookupScratch(), pe: new Uint32Array(16), log: new ReadLog() };
}

export interface VtdState {
  readonly caps: VtdCaps;
  readonly variant: Variant;
  memory: GuestMemory;
  /** FSTS.IQE */
  iqe: boolean;
  readonly bdfs: readonly string[];
  readonly addressSpaces: readonly EmulatedAddressSpace[];
  readonly accelDevices: readonly AccelDevice[];
  readonly trace: TraceBuilder;
  readonly changes: ChangeLog;
  readonly counts: WalkCounts;
  readonly scratch: VtdScratch;
  /** Host calls of the step being run. */
  readonly hostOps: HostOpLog;
  readonly hostFaults: HostFaultPlan;
  /** Per device index: its host side when it is on the iommufd backend. */
  readonly hostByDevice: readonly (IommufdHostDevice | undefined)[];
}

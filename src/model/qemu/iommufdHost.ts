// The host side of one passthrough device on the iommufd backend: the objects QEMU allocated
// through iommufd (first-stage hwpts and fault queues), which PASID the host kernel has attached
// to which hwpt, and the ids QEMU itself keeps (per accel cache entry in the series, in the
// PASID-0 VTDAddressSpace in the seed). The calls are backends/iommufd.c's
// iommufd_backend_alloc_faultq, iommufd_backend_alloc_hwpt, iommufd_backend_free_id,
// iommufd_backend_invalidate_cache and host_iommu_device_iommufd_attach_hwpt / _detach_hwpt.
//
// The host always succeeds unless the scenario's hostFaults names the call, except an
// invalidation of an id that is not a live first-stage hwpt (id 0 after a failed attach). A failed
// call changes nothing. Ids are per device: 1 is the nesting parent VFIO attached at plug; each
// successful faultq / alloc takes the next one; ids are never reused.
//
// Up to 2^20 PASIDs per device, so nothing is stored that can be implied: an object is a hwpt,
// live, unless a bit says it is a fault queue or freed; its PASID is the one whose entry records
// it; the host's attachment of a PASID is what the entry's last attach made unless noted apart;
// per-PASID ids are kept in 4,096-entry pages, a page a run while the ids run consecutively (as a
// global sync's creations do). The call log builds at most `limit` op objects per step (the rest
// are counted), and once a step can neither list, trace nor fail a call, first-stage binds only
// record their effects (bindQuietly): no call allocates.

import type { HostObject, HostOp, HostDeviceState } from '../run/runTypes.ts';
import type { HostFaultOp } from '../scenario/scenarioTypes.ts';
import type { TraceBuilder } from '../trace/traceBuilder.ts';
import { emitHostCall } from '../trace/traceEmitters.ts';
import { HostCallOp } from '../trace/traceFormat.ts';
import type { QemuFn } from '../trace/traceFormat.ts';

/** The hwpt VFIO attached the device to at plug (the nesting parent with fsts). */
export const DEFAULT_HWPT = 1;
/** IOMMU_HWPT_FAULT_ID_VALID */
export const HWPT_ALLOC_FAULT_ID_VALID = 4;
/** IOMMU_HWPT_ALLOC_PASID */
export const HWPT_ALLOC_PASID = 8;
/** IOMMU_VTD_S1_SRE / IOMMU_VTD_S1_EAFE / IOMMU_VTD_S1_WPE */
export const VTD_S1_SRE = 1;
export const VTD_S1_EAFE = 2;
export const VTD_S1_WPE = 4;
/** IOMMU_VTD_INV_FLAGS_LEAF */
export const VTD_INV_FLAGS_LEAF = 1;

const OBJ_HWPT = 1;
const OBJ_FAULTQ = 2;

function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
/** PASIDs are 20-bit (the walk, PIOTLB descriptors and hostFaults never name a larger one). */
const PASID_PAGES = (1 << 20) >>> PAGE_SHIFT;

/**
 * Splits the indices first .. first + count - 1 at page boundaries: visit(page number, first
 * index in the page, how many, offset from `first`) until it returns false (then false).
 */
function pageSegments(
  first: number,
  count: number,
  visit: (pg: number, k: number, n: number, at: number) => boolean,
): boolean {
  for (let i = first; i < first + count;) {
    const k = i & PAGE_MASK;
    const n = Math.min(first + count - i, PAGE_SIZE - k);
    if (!visit(i >>> PAGE_SHIFT, k, n, i - first)) return false;
    i += n;
  }
  return true;
}

/**
 * A sparse array of unsigned 32-bit numbers, 0 where never written, in 4,096-entry pages made on
 * their first non-zero write (a page is never copied, so growing leaves no garbage behind).
 *
 * With `runs`, a page first holds one run instead: entries [runStart, runEnd) of the page read
 * runFirst, runFirst + 1, ..., the others 0. A global sync binds consecutive PASIDs to
 * consecutive new ids, so a fully used page often stays a run (12 bytes, not 16 KiB); the first
 * write that does not fit the run turns the page into an array.
 */
class PagedU32 {
  private readonly pages: (Uint32Array | undefined)[];
  private readonly runs: boolean;
  private readonly runStart: Int32Array;
  private readonly runEnd: Int32Array;
  private readonly runFirst: Float64Array;
  /** Nothing written yet: every entry reads 0. */
  empty = true;

  /** `pages`: how many pages to expect (runs need them all known: PASID-indexed arrays). */
  constructor(pages = 0, runs = false) {
    this.pages = new Array<Uint32Array | undefined>(pages).fill(undefined);
    this.runs = runs;
    const runPages = runs ? pages : 0;
    this.runStart = new Int32Array(runPages);
    this.runEnd = new Int32Array(runPages);
    this.runFirst = new Float64Array(runPages);
  }

  get(i: number): number {
    const pg = i >>> PAGE_SHIFT;
    const page = this.pages[pg];
    if (page !== undefined) return page[i & PAGE_MASK] ?? 0;
    if (!this.runs) return 0;
    const k = i & PAGE_MASK;
    const start = this.runStart[pg] ?? 0;
    return k >= start && k < (this.runEnd[pg] ?? 0) ? (this.runFirst[pg] ?? 0) + (k - start) : 0;
  }

  set(i: number, v: number): void {
    const pg = i >>> PAGE_SHIFT;
    let page = this.pages[pg];
    if (page === undefined) {
      if (this.runs) {
        if (this.setInRun(pg, i & PAGE_MASK, v)) return;
        page = this.materialize(pg);
      } else {
        if (v === 0) return;
        page = new Uint32Array(PAGE_SIZE);
        this.pages[pg] = page;
        this.empty = false;
      }
    }
    page[i & PAGE_MASK] = v;
  }

  /** Sets entries first .. first + count - 1 to v, v + 1, ... (a page whose run they extend
   *  stays a run). */
  setRun(first: number, count: number, v: number): void {
    pageSegments(first, count, (pg, k, n, at) => {
      const vi = v + at;
      const start = this.runStart[pg] ?? 0;
      const runEnd = this.runEnd[pg] ?? 0;
      if (this.pages[pg] !== undefined || !this.runs) {
        for (let j = 0; j < n; j++) this.set(first + at + j, vi + j);
      } else if (start === runEnd) {
        this.runStart[pg] = k;
        this.runEnd[pg] = k + n;
        this.runFirst[pg] = vi;
        this.empty = false;
      } else if (k === runEnd && vi === (this.runFirst[pg] ?? 0) + (runEnd - start)) {
        this.runEnd[pg] = k + n;
      } else {
        for (let j = 0; j < n; j++) this.set(first + at + j, vi + j);
      }
      return true;
    });
  }

  /** True when entries first .. first + count - 1 are all 0 (checked a page at a time). */
  zeroRange(first: number, count: number): boolean {
    return pageSegments(first, count, (pg, k, n) => {
      const page = this.pages[pg];
      if (page !== undefined) return page.subarray(k, k + n).every((x) => x === 0);
      const start = this.runStart[pg] ?? 0;
      const runEnd = this.runEnd[pg] ?? 0;
      return !this.runs || start === runEnd || k >= runEnd || k + n <= start;
    });
  }

  /** Writes entry k of run page pg if the page can stay a run; false if it cannot. */
  private setInRun(pg: number, k: number, v: number): boolean {
    const start = this.runStart[pg] ?? 0;
    const end = this.runEnd[pg] ?? 0;
    const first = this.runFirst[pg] ?? 0;
    if (start === end) {
      if (v === 0) return true;
      this.runStart[pg] = k;
      this.runEnd[pg] = k + 1;
      this.runFirst[pg] = v;
      this.empty = false;
      return true;
    }
    if (k === end && v === first + (end - start)) {
      this.runEnd[pg] = end + 1;
      return true;
    }
    const inRun = k >= start && k < end;
    if (v === (inRun ? first + (k - start) : 0)) return true;
    if (v !== 0) return false;
    if (k === end - 1) {
      this.runEnd[pg] = k;
      return true;
    }
    if (k === start) {
      this.runStart[pg] = k + 1;
      this.runFirst[pg] = first + 1;
      return true;
    }
    return false;
  }

  /** The run page pg as an array. */
  private materialize(pg: number): Uint32Array {
    const page = new Uint32Array(PAGE_SIZE);
    const start = this.runStart[pg] ?? 0;
    const first = this.runFirst[pg] ?? 0;
    for (let k = start; k < (this.runEnd[pg] ?? 0); k++) page[k] = first + (k - start);
    this.runStart[pg] = 0;
    this.runEnd[pg] = 0;
    this.pages[pg] = page;
    this.empty = false;
    return page;
  }

  /** Calls fn(index, value) for every non-zero entry, in ascending index. */
  forEachNonZero(fn: (index: number, value: number) => void): void {
    const pageCount = Math.max(this.pages.length, this.runEnd.length);
    for (let pg = 0; pg < pageCount; pg++) {
      const page = this.pages[pg];
      const base = pg << PAGE_SHIFT;
      if (page !== undefined) {
        for (let k = 0; k < PAGE_SIZE; k++) {
          const v = page[k] ?? 0;
          if (v !== 0) fn(base + k, v);
        }
      } else if (this.runs) {
        const start = this.runStart[pg] ?? 0;
        const first = this.runFirst[pg] ?? 0;
        for (let k = start; k < (this.runEnd[pg] ?? 0); k++) fn(base + k, first + (k - start));
      }
    }
  }

  /** Bit i of the array read as a bit string (32 a word). */
  bit(i: number): boolean {
    return ((this.get(i >>> 5) >>> (i & 31)) & 1) !== 0;
  }

  setBit(i: number): void {
    this.set(i >>> 5, (this.get(i >>> 5) | (1 << (i & 31))) >>> 0);
  }
}

/** Host calls traced per step at most (see HostOpLog.traceSlot). */
export const HOST_CALLS_TRACED_PER_STEP = 4096;

/** The host calls of the step being run, as contract objects (capped) plus a count. */
export class HostOpLog {
  private ops: HostOp[] = [];
  private total = 0;
  private traced = 0;
  private readonly limit: number;

  constructor(limit = Infinity) {
    this.limit = limit;
  }

  get length(): number {
    return this.total;
  }

  reset(): void {
    this.ops = [];
    this.total = 0;
    this.traced = 0;
  }

  /** Counts one call; true when it is still to be listed (build the HostOp only then: a 2^20-PASID
   *  sync makes two calls a PASID, and their objects and hex strings were most of its time). */
  claim(): boolean {
    return this.total++ < this.limit;
  }

  /** Lists a call already counted by `claim`. */
  keep(op: HostOp): void {
    this.ops.push(op);
  }

  /** True when no further call of this step is listed or traced: calls need only be counted. */
  quiet(): boolean {
    return this.total >= this.limit && this.traced >= HOST_CALLS_TRACED_PER_STEP;
  }

  /** Counts `n` calls made while `quiet()`. */
  count(n: number): void {
    this.total += n;
    this.traced += n;
  }

  /** True while this step may still trace a HostCall event. Past HOST_CALLS_TRACED_PER_STEP the
   *  calls are still made, counted and listed (up to `limit`) but not traced, so a global sync over
   *  millions of PASIDs keeps its trace small; the fill runs it coalesces stay whole. */
  traceSlot(): boolean {
    return this.traced++ < HOST_CALLS_TRACED_PER_STEP;
  }

  /** This step's calls (at most `limit`), in QEMU's order. */
  take(): HostOp[] {
    return this.ops;
  }
}

/** The scenario's host faults of the step being run. */
export class HostFaultPlan {
  private byStep: ReadonlyMap<
    number,
    readonly { device: number; pasid: number; op: HostFaultOp }[]
  >;
  private current: readonly { device: number; pasid: number; op: HostFaultOp }[] = [];

  constructor(faults: readonly { step: number; device: number; pasid: number; op: HostFaultOp }[]) {
    const m = new Map<number, { device: number; pasid: number; op: HostFaultOp }[]>();
    for (const f of faults) {
      const list = m.get(f.step) ?? [];
      list.push({ device: f.device, pasid: f.pasid, op: f.op });
      m.set(f.step, list);
    }
    this.byStep = m;
  }

  beginStep(step: number): void {
    this.current = this.byStep.get(step) ?? [];
  }

  /** True when no call of this step can fail. */
  none(): boolean {
    return this.current.length === 0;
  }

  fails(device: number, pasid: number, op: HostFaultOp): boolean {
    const cur = this.current;
    if (cur.length === 0) return false;
    for (const f of cur) if (f.device === device && f.pasid === pasid && f.op === op) return true;
    return false;
  }
}

export interface FirstStageAlloc {
  readonly flags: number;
  readonly s1Flags: number;
  readonly addrWidth: number;
  /** The page-table pointer's halves: the bigint is made only when a call is traced or listed. */
  readonly pgtblHi: number;
  readonly pgtblLo: number;
  readonly faultId: number;
}

function pgtblAddrOf(a: FirstStageAlloc): bigint {
  return (BigInt(a.pgtblHi) << 32n) | BigInt(a.pgtblLo >>> 0);
}

/** One iommufd device's host objects and attachments, and the ids QEMU records for it. */
export class IommufdHostDevice {
  readonly device: number;
  readonly bdf: string;
  private readonly log: HostOpLog;
  private readonly faults: HostFaultPlan;
  private readonly trace: TraceBuilder;
  private nextId = DEFAULT_HWPT + 1;
  /**
   * Objects are the ids from DEFAULT_HWPT + 1 to nextId - 1: hwpts unless their bit is set here,
   * live unless their bit is set in `freed` (pages made on the first fault queue / free).
   */
  private readonly faultqIds = new PagedU32();
  private readonly freed = new PagedU32();
  /**
   * Series: per PASID, the hwpt the entry's last successful attach attached it to (DEFAULT_HWPT
   * for pass-through), 0 when it has none. QEMU's fs_hwpt_id is this, except 0 for pass-through;
   * the host has the PASID attached to it unless `attachedOther` says otherwise.
   */
  private readonly bound = new PagedU32(PASID_PAGES, true);
  /** Series: per PASID, the entry's fault queue id (pages made only when svm allocates one). */
  private readonly boundFaultq = new PagedU32(PASID_PAGES);
  /**
   * PASIDs the host has attached otherwise than `bound` says: PASID 0 at plug, the seed's
   * attaches, a failed detach.
   */
  private readonly attachedOther = new Map<number, number>();
  /** attachedOther.size !== 0, kept in a field (read once per bound PASID). */
  private hasOther = false;
  /**
   * Objects not freed that QEMU records nowhere any more (a failed detach), with their PASID.
   * Every other live object is recorded in `bound` / `boundFaultq` at its PASID or is `asHwpt`.
   */
  private readonly unrecorded = new Map<number, number>();
  private asHwptId = 0;

  constructor(
    device: number,
    bdf: string,
    log: HostOpLog,
    faults: HostFaultPlan,
    trace: TraceBuilder,
  ) {
    this.device = device;
    this.bdf = bdf;
    this.log = log;
    this.faults = faults;
    this.trace = trace;
    this.setAttached(0, DEFAULT_HWPT);
  }

  /** OBJ_HWPT or OBJ_FAULTQ while allocated and not freed, else 0. */
  private typeOf(id: number): number {
    if (id <= DEFAULT_HWPT || id >= this.nextId || (!this.freed.empty && this.freed.bit(id))) {
      return 0;
    }
    return !this.faultqIds.empty && this.faultqIds.bit(id) ? OBJ_FAULTQ : OBJ_HWPT;
  }

  private newObject(type: number): number {
    const id = this.nextId++;
    if (type === OBJ_FAULTQ) this.faultqIds.setBit(id);
    return id;
  }

  /** The hwpt the host has the PASID attached to (0 = nothing). */
  private attachedOf(pasid: number): number {
    if (this.hasOther) {
      const other = this.attachedOther.get(pasid);
      if (other !== undefined) return other;
    }
    return this.bound.get(pasid);
  }

  private setAttached(pasid: number, hwpt: number): void {
    if (hwpt === this.bound.get(pasid)) this.attachedOther.delete(pasid);
    else this.attachedOther.set(pasid, hwpt);
    this.hasOther = this.attachedOther.size !== 0;
  }

  /** The host has the PASID attached to what `bound` says. */
  private clearOther(pasid: number): void {
    if (this.hasOther) {
      this.attachedOther.delete(pasid);
      this.hasOther = this.attachedOther.size !== 0;
    }
  }

  private fails(pasid: number, op: HostFaultOp): boolean {
    return this.faults.fails(this.device, pasid, op);
  }

  private emit(
    fn: QemuFn,
    pasid: number,
    op: HostCallOp,
    id: number,
    ok: boolean,
    flags = 0,
    addr?: bigint,
  ): void {
    if (this.log.traceSlot()) this.emitTraced(fn, pasid, op, id, ok, flags, addr);
  }

  private emitTraced(
    fn: QemuFn,
    pasid: number,
    op: HostCallOp,
    id: number,
    ok: boolean,
    flags: number,
    addr?: bigint,
  ): void {
    emitHostCall(this.trace, {
      fn,
      device: this.device,
      pasid,
      op,
      id,
      ok,
      flags,
      ...(addr !== undefined ? { addr } : {}),
    });
  }

  /** iommufd_backend_alloc_faultq; 0 when it failed. `fn` is the QEMU function calling. */
  allocFaultq(fn: QemuFn, pasid: number): number {
    const ok = !this.fails(pasid, 'faultq');
    const id = ok ? this.newObject(OBJ_FAULTQ) : 0;
    if (this.log.claim()) this.log.keep({ op: 'faultq', bdf: this.bdf, pasid, ok, id });
    this.emit(fn, pasid, HostCallOp.Faultq, id, ok);
    return id;
  }

  /** iommufd_backend_alloc_hwpt of a nested first-stage hwpt; 0 when it failed. `a` is read
   *  during the call only. */
  allocHwpt(fn: QemuFn, pasid: number, a: FirstStageAlloc): number {
    const ok = !this.fails(pasid, 'alloc');
    const hwpt = ok ? this.newObject(OBJ_HWPT) : 0;
    if (this.log.traceSlot()) {
      this.emitTraced(fn, pasid, HostCallOp.Alloc, hwpt, ok, a.flags, pgtblAddrOf(a));
    }
    if (this.log.claim())
      this.log.keep({
        op: 'alloc',
        bdf: this.bdf,
        pasid,
        ok,
        hwpt,
        flags: a.flags,
        s1Flags: a.s1Flags,
        addrWidth: a.addrWidth,
        pgtblAddr: hex64(pgtblAddrOf(a)),
        faultId: a.faultId,
      });
    return hwpt;
  }

  /** The call of host_iommu_device_iommufd_attach_hwpt: whether it succeeds, listed and traced. */
  private attachCall(fn: QemuFn, pasid: number, hwpt: number): boolean {
    const ok = !this.fails(pasid, 'attach');
    if (this.log.claim()) this.log.keep({ op: 'attach', bdf: this.bdf, pasid, ok, hwpt });
    this.emit(fn, pasid, HostCallOp.Attach, hwpt, ok);
    return ok;
  }

  /** host_iommu_device_iommufd_attach_hwpt: replaces whatever the PASID had. */
  attach(fn: QemuFn, pasid: number, hwpt: number): boolean {
    const ok = this.attachCall(fn, pasid, hwpt);
    if (ok) this.setAttached(pasid, hwpt);
    return ok;
  }

  /**
   * attach for a series accel entry: on success QEMU will record `hwpt` (0 for pass-through,
   * given here as DEFAULT_HWPT) and `faultq` as the entry's ids. The caller frees the entry's old
   * ids right after, as vtd_destroy_old_fs_hwpt does; nothing reads them in between.
   */
  attachEntry(fn: QemuFn, pasid: number, hwpt: number, faultq: number): boolean {
    const ok = this.attachCall(fn, pasid, hwpt);
    if (ok) {
      this.bound.set(pasid, hwpt);
      this.boundFaultq.set(pasid, faultq);
      this.clearOther(pasid);
    }
    return ok;
  }

  /** True while no call of this device can fail, be listed or be traced (see bindQuietly). */
  quiet(): boolean {
    return this.faults.none() && this.log.quiet();
  }

  /**
   * vtd_device_attach_iommufd of a series first-stage entry without a fault queue, while
   * `quiet()`: the alloc, the attach and vtd_destroy_old_fs_hwpt's frees, with their effects and
   * counts and nothing built. A global sync over 2^20 PASIDs makes a million of these.
   */
  bindQuietly(pasid: number): void {
    const oldHwpt = this.entryHwptOf(pasid);
    const hwpt = this.nextId++;
    this.bound.set(pasid, hwpt);
    let calls = 2;
    if (oldHwpt) {
      this.release(oldHwpt);
      calls++;
    }
    if (!this.boundFaultq.empty) {
      const oldFaultq = this.boundFaultq.get(pasid);
      if (oldFaultq) {
        this.boundFaultq.set(pasid, 0);
        this.release(oldFaultq);
        calls++;
      }
    }
    this.clearOther(pasid);
    this.log.count(calls);
  }

  /**
   * bindQuietly for the series entries of PASIDs first .. first + count - 1, one after the other.
   * When QEMU records no ids for any of them (a run of creations) they take consecutive ids at
   * once.
   */
  bindRunQuietly(first: number, count: number): void {
    if (this.boundFaultq.empty && this.bound.zeroRange(first, count)) {
      this.bindUnboundRun(first, count);
      return;
    }
    for (let p = first; p < first + count; p++) {
      if (this.bound.get(p) === 0 && this.boundFaultq.get(p) === 0) this.bindUnboundRun(p, 1);
      else this.bindQuietly(p);
    }
  }

  private bindUnboundRun(first: number, count: number): void {
    this.bound.setRun(first, count, this.nextId);
    this.nextId += count;
    if (this.hasOther) for (let p = first; p < first + count; p++) this.clearOther(p);
    this.log.count(2 * count);
  }

  /** The call of host_iommu_device_iommufd_detach_hwpt: whether it succeeds, listed and traced. */
  private detachCall(fn: QemuFn, pasid: number): boolean {
    const ok = !this.fails(pasid, 'detach');
    if (this.log.claim()) this.log.keep({ op: 'detach', bdf: this.bdf, pasid, ok });
    this.emit(fn, pasid, HostCallOp.Detach, 0, ok);
    return ok;
  }

  /** host_iommu_device_iommufd_detach_hwpt: the PASID is left with nothing. */
  detach(fn: QemuFn, pasid: number): boolean {
    const ok = this.detachCall(fn, pasid);
    if (ok) this.setAttached(pasid, 0);
    return ok;
  }

  /**
   * detach for a series accel entry that goes whatever the outcome: QEMU's ids for it become 0.
   * On success the caller frees them; on failure they stay allocated (leaked) and the host keeps
   * the PASID attached.
   */
  detachEntry(fn: QemuFn, pasid: number): boolean {
    const ok = this.detachCall(fn, pasid);
    if (ok) {
      this.clearOther(pasid);
    } else {
      const still = this.attachedOf(pasid);
      this.unrecord(this.entryHwptOf(pasid), pasid);
      this.unrecord(this.entryFaultqOf(pasid), pasid);
      this.bound.set(pasid, 0);
      this.boundFaultq.set(pasid, 0);
      this.setAttached(pasid, still);
      return false;
    }
    this.bound.set(pasid, 0);
    this.boundFaultq.set(pasid, 0);
    return true;
  }

  /** QEMU stops recording `id` (0 = none): if it is still allocated, remember its PASID. */
  private unrecord(id: number, pasid: number): void {
    if (id !== 0 && this.typeOf(id) !== 0) this.unrecorded.set(id, pasid);
  }

  private release(id: number): void {
    if (id > DEFAULT_HWPT && id < this.nextId) this.freed.setBit(id);
    if (this.unrecorded.size !== 0) this.unrecorded.delete(id);
  }

  /** iommufd_backend_free_id (void in QEMU: it cannot fail). */
  free(fn: QemuFn, pasid: number, id: number): void {
    this.release(id);
    if (this.log.claim()) this.log.keep({ op: 'free', bdf: this.bdf, pasid, ok: true, id });
    this.emit(fn, pasid, HostCallOp.Free, id, true);
  }

  /** iommufd_backend_invalidate_cache on a first-stage hwpt. */
  invalidate(
    fn: QemuFn,
    pasid: number,
    hwpt: number,
    addr: bigint,
    npages: bigint,
    flags: number,
  ): boolean {
    const ok = this.typeOf(hwpt) === OBJ_HWPT && !this.fails(pasid, 'invalidate');
    if (this.log.claim())
      this.log.keep({
        op: 'invalidate',
        bdf: this.bdf,
        pasid,
        ok,
        hwpt,
        addr: hex64(addr),
        npages: hex64(npages),
        flags,
      });
    this.emit(fn, pasid, HostCallOp.Invalidate, hwpt, ok, flags, addr);
    return ok;
  }

  // ---- what QEMU records (VTDAccelPASIDCacheEntry.fs_hwpt_id / fault ids) ----------------

  entryHwptOf(pasid: number): number {
    const hwpt = this.bound.get(pasid);
    return hwpt === DEFAULT_HWPT ? 0 : hwpt;
  }

  entryFaultqOf(pasid: number): number {
    return this.boundFaultq.get(pasid);
  }

  /** Seed: the PASID-0 VTDAddressSpace's fs_hwpt_id (survives the entry's removal). */
  get asHwpt(): number {
    return this.asHwptId;
  }

  set asHwpt(hwpt: number) {
    if (hwpt !== this.asHwptId) this.unrecord(this.asHwptId, 0);
    this.asHwptId = hwpt;
  }

  /**
   * The host state as final.host shows it. `cachedPasids` are the PASIDs that still have an
   * accel cache entry (their ids are still held by QEMU); everything else not freed is leaked,
   * except the seed's address-space id.
   */
  state(cachedPasids: Iterable<number>, limit = Infinity): HostDeviceState {
    const idCount = this.nextId;
    const held = new Uint8Array(idCount);
    if (this.asHwptId) held[this.asHwptId] = 1;
    for (const p of cachedPasids) {
      held[this.entryHwptOf(p)] = 1;
      held[this.entryFaultqOf(p)] = 1;
    }
    // Each live object's PASID: where QEMU records it, else where it was left unrecorded.
    const pasidOf = new Int32Array(idCount).fill(-1);
    if (this.asHwptId) pasidOf[this.asHwptId] = 0;
    for (const [id, pasid] of this.unrecorded) pasidOf[id] = pasid;
    const pasids: number[] = [];
    this.bound.forEachNonZero((pasid, hwpt) => {
      pasids.push(pasid);
      if (hwpt !== DEFAULT_HWPT) pasidOf[hwpt] = pasid;
    });
    this.boundFaultq.forEachNonZero((pasid, id) => {
      pasidOf[id] = pasid;
    });
    // Attachments in ascending PASID: those `bound` implies, merged with the others.
    const others = [...this.attachedOther.keys()].sort((x, y) => x - y);
    const attached: Record<string, number> = {};
    let attachedTotal = 0;
    const visit = (p: number): void => {
      const h = this.attachedOf(p);
      if (h && attachedTotal++ < limit) attached[String(p)] = h;
    };
    let o = 0;
    for (const p of pasids) {
      while (o < others.length && (others[o] ?? 0) < p) visit(others[o++] ?? 0);
      if (others[o] === p) o++;
      visit(p);
    }
    while (o < others.length) visit(others[o++] ?? 0);
    const objects: HostObject[] = [];
    let objectTotal = 0;
    for (let id = DEFAULT_HWPT + 1; id < idCount; id++) {
      const type = this.typeOf(id);
      if (type === 0) continue;
      if (objectTotal++ >= limit) continue;
      const pasid = pasidOf[id] ?? -1;
      if (pasid < 0) throw new Error(`host object ${id} of ${this.bdf} is recorded nowhere`);
      objects.push({
        id,
        type: type === OBJ_FAULTQ ? 'faultq' : 'hwpt',
        pasid,
        leaked: held[id] !== 1,
      });
    }
    const truncated = attachedTotal > limit || objectTotal > limit;
    return {
      attached,
      objects,
      ...(truncated ? { totals: { attached: attachedTotal, objects: objectTotal } } : {}),
    };
  }
}

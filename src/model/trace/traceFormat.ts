// The trace: every step the model takes, stored column-wise in typed arrays so that a 2^20-PASID walk
// costs ~32 bytes a step instead of an object each, crosses the worker boundary by structured clone
// (or transfer), and can still be sought to any index. Event i is the i-th step of the timeline.
//
// What each column means depends on the event's kind; the table beside each kind below is the
// contract between the model (producer) and the views (consumers). Unused columns are 0. Nobody
// indexes the columns by hand: the model writes through traceEmitters.ts (one emitter per kind,
// fields by name) and the views read through traceReader.ts (readTraceEvent, column accessors).
// docs/trace-format.md says how to add a kind.
// Runs of identical skips (directory entries not present, leaf entries not present, ...) are
// coalesced into one event whose `count` says how many chunks / PASIDs it stands for.
//
// 512-bit entries are NOT copied into the trace: an event carries the guest address it read, and the
// words are read back from guest memory as it was at that scenario step (memory never changes while
// one step is processed). NO_ADDR marks "no address" (e.g. an all-zero buffer).

export const NO_ADDR = 0xffff_ffff_ffff_ffffn;

/** The QEMU function an event belongs to (file given in QEMU_FUNCTIONS). */
export const QemuFn = {
  guest: 0,
  vtd_process_inv_desc: 1,
  vtd_process_pasid_desc: 2,
  vtd_process_wait_desc: 3,
  vtd_process_context_cache_desc: 4,
  vtd_pasid_cache_sync: 5,
  vtd_pasid_cache_sync_locked: 6,
  vtd_dev_get_pe_from_pasid: 7,
  vtd_dev_to_context_entry: 8,
  vtd_ce_pasid_0_check: 9,
  vtd_get_pdire_from_pdir_table: 10,
  vtd_get_pe_in_pasid_leaf_table: 11,
  vtd_accel_pasid_cache_sync: 12,
  vtd_accel_pasid_cache_invalidate_one: 13,
  vtd_accel_delete_pc: 14,
  vtd_sm_pasid_table_walk: 15,
  vtd_sm_pasid_table_walk_one: 16,
  vtd_accel_fill_pc: 17,
  vtd_replay_pasid_bindings_all: 18,
  vtd_pasid_cache_devsi: 19,
  vtd_device_attach_iommufd: 20,
  vtd_create_fs_hwpt: 21,
  vtd_destroy_old_fs_hwpt: 22,
  vtd_device_detach_iommufd: 23,
  vtd_flush_host_piotlb_all_locked: 24,
  vtd_process_piotlb_desc: 25,
  vtd_propagate_guest_pasid: 26,
} as const;
export type QemuFn = (typeof QemuFn)[keyof typeof QemuFn];

export interface QemuFunctionInfo {
  readonly name: string;
  /** Source file in QEMU's tree ("" for the guest's own actions). */
  readonly file: string;
}

export const QEMU_FUNCTIONS: Readonly<Record<QemuFn, QemuFunctionInfo>> = {
  0: { name: 'guest', file: '' },
  1: { name: 'vtd_process_inv_desc', file: 'hw/i386/intel_iommu.c' },
  2: { name: 'vtd_process_pasid_desc', file: 'hw/i386/intel_iommu.c' },
  3: { name: 'vtd_process_wait_desc', file: 'hw/i386/intel_iommu.c' },
  4: { name: 'vtd_process_context_cache_desc', file: 'hw/i386/intel_iommu.c' },
  5: { name: 'vtd_pasid_cache_sync', file: 'hw/i386/intel_iommu.c' },
  6: { name: 'vtd_pasid_cache_sync_locked', file: 'hw/i386/intel_iommu.c' },
  7: { name: 'vtd_dev_get_pe_from_pasid', file: 'hw/i386/intel_iommu.c' },
  8: { name: 'vtd_dev_to_context_entry', file: 'hw/i386/intel_iommu.c' },
  9: { name: 'vtd_ce_pasid_0_check', file: 'hw/i386/intel_iommu.c' },
  10: { name: 'vtd_get_pdire_from_pdir_table', file: 'hw/i386/intel_iommu.c' },
  11: { name: 'vtd_get_pe_in_pasid_leaf_table', file: 'hw/i386/intel_iommu.c' },
  12: { name: 'vtd_accel_pasid_cache_sync', file: 'hw/i386/intel_iommu_accel.c' },
  13: { name: 'vtd_accel_pasid_cache_invalidate_one', file: 'hw/i386/intel_iommu_accel.c' },
  14: { name: 'vtd_accel_delete_pc', file: 'hw/i386/intel_iommu_accel.c' },
  15: { name: 'vtd_sm_pasid_table_walk', file: 'hw/i386/intel_iommu_accel.c' },
  16: { name: 'vtd_sm_pasid_table_walk_one', file: 'hw/i386/intel_iommu_accel.c' },
  17: { name: 'vtd_accel_fill_pc', file: 'hw/i386/intel_iommu_accel.c' },
  18: { name: 'vtd_replay_pasid_bindings_all', file: 'hw/i386/intel_iommu.c' },
  19: { name: 'vtd_pasid_cache_devsi', file: 'hw/i386/intel_iommu.c' },
  20: { name: 'vtd_device_attach_iommufd', file: 'hw/i386/intel_iommu_accel.c' },
  21: { name: 'vtd_create_fs_hwpt', file: 'hw/i386/intel_iommu_accel.c' },
  22: { name: 'vtd_destroy_old_fs_hwpt', file: 'hw/i386/intel_iommu_accel.c' },
  23: { name: 'vtd_device_detach_iommufd', file: 'hw/i386/intel_iommu_accel.c' },
  24: { name: 'vtd_flush_host_piotlb_all_locked', file: 'hw/i386/intel_iommu_accel.c' },
  25: { name: 'vtd_process_piotlb_desc', file: 'hw/i386/intel_iommu.c' },
  26: { name: 'vtd_propagate_guest_pasid', file: 'hw/i386/intel_iommu.c (seed era)' },
};

/**
 * Event kinds. Column meanings per kind (device = index into Trace.devices, -1 for none):
 *
 * StepWrite          addr = guest address, count = qwords written
 * StepClearIqe       -
 * DescFetched        a = descriptor type code (bits 3:0 | bits 11:9 << 4), b = queue width (128|256)
 * DescRejected       a = RejectReason, b = type code; the step sets FSTS.IQE
 * DescBlocked        FSTS.IQE was already set: the descriptor is not processed
 * DescNoEffect       a = type code; a descriptor QEMU checks but that touches no PASID cache
 * PcInfoBuilt        a = PcType (0 DSI, 1 PASID-SI, 3 global), b = did, pasid = pasid
 * WaitStatusWrite    addr = status address, a = status data (a failed write is DescRejected)
 * ContextCacheInv    a = granularity (1 global, 2 domain, 3 device), b = did or source-id, c = fmask
 * ReplayBegin        a global replay (vtd_replay_pasid_bindings_all) starts
 * SyncBegin          a = PcType, b = did, pasid = pasid (the VTDPASIDCacheInfo the sync runs with)
 * SyncGated          a = GateReason; vtd_pasid_cache_sync / the accel sync returned early
 * GuestRead          a = Structure, addr = address, b = bytes, c = fault code (0 = read ok);
 *                    device/pasid = whose lookup it is (one event per read; only for bounded lookups)
 * LookupResult       a = fault code (0 = entry valid), addr = leaf entry address (NO_ADDR if not
 *                    reached), device, pasid; fn = vtd_dev_get_pe_from_pasid or vtd_dev_to_context_entry
 * EmuSkip            a = EmuSkipReason, b = the DID compared (for DidFilter), c = fault code of the
 *                    failed lookup (LookupFailedNotCached), device, pasid (the AS)
 * EmuCreated         the VTDPASIDCacheEntry became valid; addr = where its words came from (NO_ADDR =
 *                    all zero), b = 1 when this is the series fall-through re-creation
 * EmuRemoved         the entry became invalid (lookup failed); c = fault code
 * EmuUnchanged       valid and equal to memory: nothing happens
 * EmuDiffers         valid and memory differs: switch + sync, the cached copy is NOT overwritten
 * AccelDeviceBegin   device = the iommufd device the accel sync now works on
 * AccelDeviceSkipped a = fault code of vtd_dev_to_context_entry (device silently skipped)
 * AccelRemovalCheck  pasid, a = RemovalOutcome, b = cached DID, c = fault code of the fresh lookup;
 *                    count = entries in this run: consecutive list entries (head first) with the
 *                    same outcome are one event (pasid, b of the first); Removed is never coalesced
 * AccelBypass        accel_pce_deleted was set by a PASID-selective removal: replay skipped, flag cleared
 * RangeInit          pasid = start, b = end (exclusive), a = RangeReason, c = pasid-bits
 * RangeClamp         pasid = start, a = device max_pasid_log2, b = context PDTS, c = resulting end
 * DirChecked         pasid = first PASID of the first chunk, count = chunks in this run, b = end of the
 *                    last chunk (exclusive), addr = first directory-entry address, a = DirOutcome,
 *                    c = fault code (0x50 for a read failure)
 * LeafChecked        pasid = first PASID, count = PASIDs in this run, addr = first leaf-entry address
 *                    (entry k of a run is at addr + 64 k), a = LeafOutcome, b = DID read from memory
 *                    (when the entry was read), c = list compares made by vtd_accel_fill_pc (fill
 *                    outcomes only). Skip runs (FetchError, EntryInvalid, NotPresent, DidMismatch)
 *                    coalesce while the outcome and the DID stay the same. Fill runs (fn
 *                    vtd_accel_fill_pc: Created, Updated, Unchanged) coalesce consecutive PASIDs
 *                    while the outcome stays the same and the compares follow the rule: entry k
 *                    made c + k compares (Created: each insertion lengthens the list by one) or
 *                    c - k (Updated / Unchanged: each entry one closer to the head). A fill run
 *                    of count > 1 keeps its DIDs (they may differ) in fillDids[b .. b + count)
 * AccelRemoved       pasid, a = cached DID; the entry left the device's list (vtd_accel_delete_pc)
 * HostCall           a call to the host's iommufd (host-side.md): pasid = the PASID it is for,
 *                    a = HostCallOp, b = the object id (faultq / alloc / free: the id, 0 when the
 *                    allocation failed; attach / invalidate: the hwpt; detach: 0), c = ok (bit 0)
 *                    | call flags << 1 (alloc: ALLOC_PASID 8 / FAULT_ID_VALID 4; invalidate:
 *                    LEAF 1), addr = alloc: the first-stage page-table pointer; invalidate: the
 *                    first address (NO_ADDR otherwise); the step's hostOps carry every field
 */
export const TraceKind = {
  StepWrite: 1,
  StepClearIqe: 2,
  DescFetched: 3,
  DescRejected: 4,
  DescBlocked: 5,
  DescNoEffect: 6,
  PcInfoBuilt: 7,
  WaitStatusWrite: 8,
  ContextCacheInv: 9,
  ReplayBegin: 10,
  SyncBegin: 11,
  SyncGated: 12,
  GuestRead: 13,
  LookupResult: 14,
  EmuSkip: 15,
  EmuCreated: 16,
  EmuRemoved: 17,
  EmuUnchanged: 18,
  EmuDiffers: 19,
  AccelDeviceBegin: 20,
  AccelDeviceSkipped: 21,
  AccelRemovalCheck: 22,
  AccelBypass: 23,
  RangeInit: 24,
  RangeClamp: 25,
  DirChecked: 26,
  LeafChecked: 27,
  AccelRemoved: 28,
  HostCall: 29,
} as const;
export type TraceKind = (typeof TraceKind)[keyof typeof TraceKind];

/**
 * VTDPASIDCacheInfo.type (QEMU's VTD_PASID_CACHE_*): which entries a PASID-cache sync may touch.
 * 2 is reserved (the descriptor is rejected before a sync is built).
 */
export const PcType = {
  /** Domain-selective: entries whose DID matches. */
  DomainSelective: 0,
  /** PASID-selective: the one PASID, and only if its DID matches. */
  PasidSelective: 1,
  /** Global: every entry. */
  Global: 3,
} as const;
export type PcType = (typeof PcType)[keyof typeof PcType];

export const Structure = {
  RootEntry: 1,
  ContextEntry: 2,
  PasidDirEntry: 3,
  PasidEntry: 4,
  WaitStatus: 5,
} as const;
export type Structure = (typeof Structure)[keyof typeof Structure];

export const RejectReason = {
  PasidDescIn128BitQueue: 1,
  PasidDescReservedBits: 2,
  PasidDescGranularity2: 3,
  WaitDescReservedBits: 4,
  WaitDescNoAction: 5,
  WaitStatusWriteFailed: 6,
  ContextDescReservedBits: 7,
  ContextDescGranularity0: 8,
  /** Not produced any more: the model reports one of 11-15 instead. */
  OtherDescInvalid: 9,
  UnknownType: 10,
  /** A PASID-IOTLB or PASID device-TLB descriptor (256-bit only) in a 128-bit queue. */
  OtherDescIn128BitQueue: 11,
  /** Reserved bits set in an IOTLB, device-TLB, IEC, PASID-IOTLB, PASID device-TLB or page
   *  group response descriptor. */
  OtherDescReservedBits: 12,
  /** IOTLB granularity 0, or PASID-IOTLB granularity 0 / 1. */
  OtherDescGranularity: 13,
  /** IOTLB / PASID-IOTLB page invalidation with an address mask above 18 (VTD_MAMV). */
  OtherDescAddressMask: 14,
  /** Page group response without PASID (QEMU does not support it yet). */
  PageResponseWithoutPasid: 15,
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

export const GateReason = {
  NotRootScalable: 1,
  DmarDisabled: 2,
  FstsOff: 3,
} as const;
export type GateReason = (typeof GateReason)[keyof typeof GateReason];

export const EmuSkipReason = {
  /** Lookup failed and the cached entry was already invalid. */
  LookupFailedNotCached: 1,
  /** PASID-selective and the AS's PASID is another one. */
  PasidFilter: 2,
  /** DSI / PASID-SI and the DID (cached if valid, else memory) differs. */
  DidFilter: 3,
} as const;
export type EmuSkipReason = (typeof EmuSkipReason)[keyof typeof EmuSkipReason];

/** The iommufd call a HostCall event stands for. */
export const HostCallOp = {
  /** iommufd_backend_alloc_faultq */
  Faultq: 1,
  /** iommufd_backend_alloc_hwpt (nested first stage) */
  Alloc: 2,
  /** host_iommu_device_iommufd_attach_hwpt */
  Attach: 3,
  /** host_iommu_device_iommufd_detach_hwpt */
  Detach: 4,
  /** iommufd_backend_free_id */
  Free: 5,
  /** iommufd_backend_invalidate_cache */
  Invalidate: 6,
} as const;
export type HostCallOp = (typeof HostCallOp)[keyof typeof HostCallOp];

export const RemovalOutcome = {
  PasidFilter: 1,
  DidFilter: 2,
  StillValid: 3,
  Removed: 4,
} as const;
export type RemovalOutcome = (typeof RemovalOutcome)[keyof typeof RemovalOutcome];

export const RangeReason = {
  /** DSI / global: [0, 1 << pasid-bits). */
  PasidBits: 1,
  /** PASID-selective: [pasid, pasid + 1), not clamped by pasid-bits. */
  PasidSelective: 2,
} as const;
export type RangeReason = (typeof RangeReason)[keyof typeof RangeReason];

export const DirOutcome = {
  ReadFailed: 1,
  NotPresent: 2,
  Present: 3,
} as const;
export type DirOutcome = (typeof DirOutcome)[keyof typeof DirOutcome];

export const LeafOutcome = {
  /** DMA read failed: fault 0x58. */
  FetchError: 1,
  /** PGTT / level / FSPM check failed: fault 0x5b (checked before the present bit). */
  EntryInvalid: 2,
  NotPresent: 3,
  /** DSI / PASID-SI and the memory DID differs from the descriptor's. */
  DidMismatch: 4,
  Created: 5,
  Updated: 6,
  Unchanged: 7,
} as const;
export type LeafOutcome = (typeof LeafOutcome)[keyof typeof LeafOutcome];

/** The trace itself. Every array has at least `length` elements; read only [0, length). */
export interface Trace {
  readonly length: number;
  readonly kind: Uint8Array;
  readonly fn: Uint8Array;
  readonly device: Int16Array;
  readonly pasid: Uint32Array;
  readonly count: Uint32Array;
  readonly addr: BigUint64Array;
  readonly a: Uint32Array;
  readonly b: Uint32Array;
  readonly c: Uint32Array;
  /** The DIDs of coalesced fill runs (LeafChecked of vtd_accel_fill_pc with count > 1). */
  readonly fillDids: Uint16Array;
  /** Events of scenario step k are [stepStart[k], stepStart[k + 1]); length = steps + 1. */
  readonly stepStart: Uint32Array;
  /** bdf of each device index used in `device`. */
  readonly devices: readonly string[];
}

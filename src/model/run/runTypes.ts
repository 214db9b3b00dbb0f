// What running a scenario produces. `toContractJson` (run/contractJson.ts) turns this into exactly the
// JSON object of ../shared/scenario-format.md ("Headless run"); the app reads it directly.

import type { Variant } from '../scenario/scenarioTypes.ts';
import type { PcType, Trace } from '../trace/traceFormat.ts';

export type StepStatus = 'processed' | 'rejected' | 'blocked' | 'applied';

/** QEMU's zero-initialised VTDPASIDCacheInfo. */
export interface PcInfo {
  readonly type: PcType;
  readonly did: number;
  readonly pasid: number;
}

export interface AccelWalkCounts {
  /** Directory-entry reads attempted by vtd_sm_pasid_table_walk (failed reads count). */
  readonly dirReads: number;
  /** Leaf-entry fetches attempted by vtd_sm_pasid_table_walk_one (failed/not-present count). */
  readonly entryReads: number;
  /** PASID comparisons of QEMU's linear list search in vtd_accel_fill_pc. */
  readonly listCompares: number;
}

export type CacheKind = 'accel' | 'emulated';
export type ChangeKind = 'created' | 'updated' | 'removed';

export interface CacheChange {
  readonly cache: CacheKind;
  readonly bdf: string;
  readonly pasid: number;
  readonly kind: ChangeKind;
}

/**
 * One step's cache changes as columns, for consumers that cannot afford an object per change (a
 * global sync over 2^20 PASIDs on several devices makes millions). Same order as `changes`.
 */
export interface ChangeColumns {
  readonly length: number;
  readonly pasid: Uint32Array;
  /** Index of the device in scenario.devices (and Trace.devices). */
  readonly device: Uint16Array;
  /** 0 accel, 1 emulated. */
  readonly cache: Uint8Array;
  /** 0 created, 1 updated, 2 removed. */
  readonly kind: Uint8Array;
}

/** One cache's entries as columns: PASIDs and each entry's 8 words as 16 32-bit halves. */
export interface CacheEntryColumns {
  readonly length: number;
  readonly pasid: Uint32Array;
  /** Entry i's val[w] = halves[16i + 2w] | halves[16i + 2w + 1] << 32. */
  readonly halves: Uint32Array;
}

interface HostOpBase {
  readonly bdf: string;
  /** The PASID the call is for. */
  readonly pasid: number;
  /** What QEMU saw: true = success. */
  readonly ok: boolean;
}

/**
 * One call QEMU made to the host's iommufd (host-side.md). Addresses and page counts are 16-digit
 * lower-case hex strings, like entry words.
 */
export type HostOp =
  | (HostOpBase & { readonly op: 'faultq'; readonly id: number })
  | (HostOpBase & {
      readonly op: 'alloc';
      readonly hwpt: number;
      readonly flags: number;
      readonly s1Flags: number;
      readonly addrWidth: number;
      readonly pgtblAddr: string;
      readonly faultId: number;
    })
  | (HostOpBase & { readonly op: 'attach'; readonly hwpt: number })
  | (HostOpBase & { readonly op: 'detach' })
  | (HostOpBase & { readonly op: 'free'; readonly id: number })
  | (HostOpBase & {
      readonly op: 'invalidate';
      readonly hwpt: number;
      readonly addr: string;
      readonly npages: string;
      readonly flags: number;
    });

/** An object QEMU allocated through iommufd and has not freed. */
export interface HostObject {
  readonly id: number;
  readonly type: 'hwpt' | 'faultq';
  readonly pasid: number;
  /** QEMU keeps the id nowhere any more: nothing will ever free it. */
  readonly leaked: boolean;
}

/** One iommufd device's host state. */
export interface HostDeviceState {
  /** PASID (decimal string) -> hwpt id, as the host holds it. */
  readonly attached: Readonly<Record<string, number>>;
  /** Ascending id; the nesting parent (id 1) is never listed. */
  readonly objects: readonly HostObject[];
  /**
   * Only when asked for at most N rows (PasidScopeMachine.hostStates(limit)): how many
   * attachments and objects there are in all. The contract output never has it.
   */
  readonly totals?: { readonly attached: number; readonly objects: number };
}

export interface StepResult {
  readonly index: number;
  readonly op: 'write' | 'invalidate' | 'clearIqe';
  readonly status: StepStatus;
  /** Human-readable reason, when rejected (QEMU's error_report text in our words). */
  readonly error?: string;
  /** Descriptor type name as QEMU's vtd_inv_desc trace prints it ("pasid-cache", "wait", ...). */
  readonly descType?: string;
  readonly pcInfo?: PcInfo;
  /** Present on every processed invalidate step (zeros when nothing was walked). */
  readonly accelWalk?: AccelWalkCounts;
  readonly changes: readonly CacheChange[];
  /**
   * Only when the run was asked to materialise fewer changes per step (MachineOptions
   * .maxChangesPerStep): how many changes of this step are not in `changes`.
   */
  readonly changesOmitted?: number;
  /** The host calls QEMU made during the step, in QEMU's order (absent reads as empty). */
  readonly hostOps?: readonly HostOp[];
  /** Only when capped like `changes`: how many host calls of this step are not in `hostOps`. */
  readonly hostOpsOmitted?: number;
}

/** One VTDAccelPASIDCacheEntry: the PASID and its cached 512-bit entry (8 words). */
export interface AccelCacheEntry {
  readonly pasid: number;
  readonly entry: readonly bigint[];
}

/** One VTDAddressSpace's VTDPASIDCacheEntry. An invalid entry keeps its last contents. */
export interface EmulatedCacheEntry {
  readonly valid: boolean;
  readonly entry: readonly bigint[];
}

export interface CacheState {
  readonly iqe: boolean;
  /** Per iommufd device (bdf), list order: head first. */
  readonly accel: Readonly<Record<string, readonly AccelCacheEntry[]>>;
  /** Per device (bdf), per address-space PASID (decimal string key). */
  readonly emulated: Readonly<Record<string, Readonly<Record<string, EmulatedCacheEntry>>>>;
  /** Per iommufd device (bdf): the host's attachments and QEMU's live objects. */
  readonly host?: Readonly<Record<string, HostDeviceState>>;
}

export interface RunResult {
  readonly variant: Variant;
  readonly steps: readonly StepResult[];
  readonly final: CacheState;
  readonly trace: Trace;
}

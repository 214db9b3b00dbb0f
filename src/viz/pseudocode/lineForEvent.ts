// Which pseudo-code line an event executes, and the chain of QEMU calls that led there.

import {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  HostCallOp,
  LeafOutcome,
  QemuFn,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
  PcType,
  assertUnreachable,
  readTraceEvent,
  type Trace,
  type TraceEventOf,
} from '../../model/core.ts';
import type { EventContext } from '../trace/eventContext.ts';
import { PSEUDOCODE } from './qemuPseudocode.ts';

export interface LineRef {
  readonly fn: QemuFn;
  readonly tag: string;
}

function rejectLine(reason: number): LineRef {
  switch (reason) {
    case RejectReason.PasidDescIn128BitQueue:
      return { fn: QemuFn.vtd_process_pasid_desc, tag: 'q128' };
    case RejectReason.PasidDescReservedBits:
      return { fn: QemuFn.vtd_process_pasid_desc, tag: 'rsvd' };
    case RejectReason.PasidDescGranularity2:
      return { fn: QemuFn.vtd_process_pasid_desc, tag: 'g2' };
    case RejectReason.WaitDescReservedBits:
      return { fn: QemuFn.vtd_process_wait_desc, tag: 'rsvd' };
    case RejectReason.WaitDescNoAction:
      return { fn: QemuFn.vtd_process_wait_desc, tag: 'none' };
    case RejectReason.WaitStatusWriteFailed:
      return { fn: QemuFn.vtd_process_wait_desc, tag: 'sw-fail' };
    case RejectReason.ContextDescReservedBits:
      return { fn: QemuFn.vtd_process_context_cache_desc, tag: 'rsvd' };
    case RejectReason.ContextDescGranularity0:
      return { fn: QemuFn.vtd_process_context_cache_desc, tag: 'g0' };
    default:
      return { fn: QemuFn.vtd_process_inv_desc, tag: 'unknown' };
  }
}

function contextFaultTag(fault: number): string {
  switch (fault) {
    case 0:
      return 'ok';
    case 0x8:
      return 'root-read';
    case 0x1:
      return 'root-p';
    case 0xa:
      return 'root-rsvd';
    case 0x9:
      return 'ctx-read';
    case 0x2:
      return 'ctx-p';
    case 0xb:
      return 'ctx-rsvd';
    default:
      return 'pasid0';
  }
}

/** The line event `e` executes (a reasonable default for the event's kind). */
export function lineForEvent(trace: Trace, e: number): LineRef | undefined {
  const ev = readTraceEvent(trace, e);
  const fn = ev.fn;
  switch (ev.kind) {
    case 'StepWrite':
      return { fn: QemuFn.guest, tag: 'write' };
    case 'StepClearIqe':
      return { fn: QemuFn.guest, tag: 'clear-iqe' };
    case 'DescFetched':
      return { fn: QemuFn.vtd_process_inv_desc, tag: 'fetch' };
    case 'DescRejected':
      return rejectLine(ev.reason);
    case 'DescBlocked':
      return { fn: QemuFn.vtd_process_inv_desc, tag: 'blocked' };
    case 'DescNoEffect':
      return { fn: QemuFn.vtd_process_inv_desc, tag: 'noeffect' };
    case 'PcInfoBuilt':
      return {
        fn: QemuFn.vtd_process_pasid_desc,
        tag:
          ev.pcType === PcType.DomainSelective
            ? 'dsi'
            : ev.pcType === PcType.PasidSelective
              ? 'psi'
              : 'gsi',
      };
    case 'WaitStatusWrite':
      return { fn: QemuFn.vtd_process_wait_desc, tag: 'sw' };
    case 'ContextCacheInv':
      return {
        fn: QemuFn.vtd_process_context_cache_desc,
        tag: ev.granularity === 3 ? 'device' : 'global',
      };
    case 'ReplayBegin':
      return { fn: QemuFn.vtd_replay_pasid_bindings_all, tag: 'global' };
    case 'SyncBegin':
      return fn === QemuFn.vtd_pasid_cache_devsi
        ? { fn, tag: 'info' }
        : { fn: QemuFn.vtd_pasid_cache_sync, tag: 'begin' };
    case 'SyncGated':
      if (ev.reason === GateReason.FstsOff) {
        return { fn: QemuFn.vtd_accel_pasid_cache_sync, tag: 'gated' };
      }
      return fn === QemuFn.vtd_pasid_cache_devsi
        ? { fn, tag: 'gated' }
        : { fn: QemuFn.vtd_pasid_cache_sync, tag: 'gated' };
    case 'GuestRead': {
      switch (ev.structure) {
        case Structure.RootEntry:
          return { fn: QemuFn.vtd_dev_to_context_entry, tag: 'root-read' };
        case Structure.ContextEntry:
          return { fn: QemuFn.vtd_dev_to_context_entry, tag: 'ctx-read' };
        case Structure.PasidDirEntry:
          return { fn: QemuFn.vtd_get_pdire_from_pdir_table, tag: ev.fault ? 'fail' : 'read' };
        case Structure.PasidEntry:
          return { fn: QemuFn.vtd_get_pe_in_pasid_leaf_table, tag: ev.fault ? 'fail' : 'read' };
        case Structure.WaitStatus:
          return { fn: QemuFn.vtd_process_wait_desc, tag: 'sw' };
        default:
          return assertUnreachable(ev.structure, 'structure');
      }
    }
    case 'LookupResult': {
      const fault = ev.fault;
      if (fn === QemuFn.vtd_dev_to_context_entry) return { fn, tag: contextFaultTag(fault) };
      if (fault === 0) return { fn: QemuFn.vtd_dev_get_pe_from_pasid, tag: 'ok' };
      if (fault === 0x31) return { fn: QemuFn.vtd_dev_get_pe_from_pasid, tag: 'not-scalable' };
      if (fault >= 0x50) return { fn: QemuFn.vtd_dev_get_pe_from_pasid, tag: 'table' };
      return { fn: QemuFn.vtd_dev_get_pe_from_pasid, tag: 'context-fault' };
    }
    case 'EmuSkip':
      return {
        fn: QemuFn.vtd_pasid_cache_sync_locked,
        tag:
          ev.reason === EmuSkipReason.LookupFailedNotCached
            ? 'not-cached'
            : ev.reason === EmuSkipReason.PasidFilter
              ? 'pasid-filter'
              : 'did-filter',
      };
    case 'EmuCreated':
      return { fn: QemuFn.vtd_pasid_cache_sync_locked, tag: 'create' };
    case 'EmuRemoved':
      return { fn: QemuFn.vtd_pasid_cache_sync_locked, tag: 'remove' };
    case 'EmuUnchanged':
      return { fn: QemuFn.vtd_pasid_cache_sync_locked, tag: 'unchanged' };
    case 'EmuDiffers':
      return { fn: QemuFn.vtd_pasid_cache_sync_locked, tag: 'differs' };
    case 'AccelDeviceBegin':
      return { fn: QemuFn.vtd_accel_pasid_cache_sync, tag: 'device' };
    case 'AccelDeviceSkipped':
      return { fn: QemuFn.vtd_accel_pasid_cache_sync, tag: 'skipped' };
    case 'AccelRemovalCheck':
      return {
        fn: QemuFn.vtd_accel_pasid_cache_invalidate_one,
        tag:
          ev.outcome === RemovalOutcome.PasidFilter
            ? 'pasid-filter'
            : ev.outcome === RemovalOutcome.DidFilter
              ? 'did-filter'
              : ev.outcome === RemovalOutcome.StillValid
                ? 'still-valid'
                : 'delete',
      };
    case 'AccelBypass':
      return { fn: QemuFn.vtd_accel_pasid_cache_sync, tag: 'bypass' };
    case 'RangeInit':
      return {
        fn: QemuFn.vtd_accel_pasid_cache_sync,
        tag: ev.reason === RangeReason.PasidSelective ? 'range-psi' : 'range',
      };
    case 'RangeClamp':
      return { fn: QemuFn.vtd_accel_pasid_cache_sync, tag: 'clamp' };
    case 'DirChecked':
      return {
        fn: QemuFn.vtd_sm_pasid_table_walk,
        tag:
          ev.outcome === DirOutcome.Present
            ? 'present'
            : ev.outcome === DirOutcome.NotPresent
              ? 'not-present'
              : 'read-failed',
      };
    case 'LeafChecked': {
      const outcome = ev.outcome;
      switch (outcome) {
        case LeafOutcome.FetchError:
        case LeafOutcome.EntryInvalid:
          return { fn: QemuFn.vtd_sm_pasid_table_walk_one, tag: 'fetch' };
        case LeafOutcome.NotPresent:
          return { fn: QemuFn.vtd_sm_pasid_table_walk_one, tag: 'not-present' };
        case LeafOutcome.DidMismatch:
          return { fn: QemuFn.vtd_sm_pasid_table_walk_one, tag: 'did' };
        case LeafOutcome.Created:
          return { fn: QemuFn.vtd_accel_fill_pc, tag: 'insert-head' };
        case LeafOutcome.Updated:
          return { fn: QemuFn.vtd_accel_fill_pc, tag: 'update' };
        case LeafOutcome.Unchanged:
          return { fn: QemuFn.vtd_accel_fill_pc, tag: 'unchanged' };
        default:
          return assertUnreachable(outcome, 'leaf outcome');
      }
    }
    case 'AccelRemoved':
      return { fn: QemuFn.vtd_accel_delete_pc, tag: 'free' };
    case 'HostCall':
      return hostCallLine(ev);
    default:
      return assertUnreachable(ev, 'trace event');
  }
}

const HOST_FNS: readonly QemuFn[] = [
  QemuFn.vtd_device_attach_iommufd,
  QemuFn.vtd_create_fs_hwpt,
  QemuFn.vtd_destroy_old_fs_hwpt,
  QemuFn.vtd_device_detach_iommufd,
  QemuFn.vtd_flush_host_piotlb_all_locked,
  QemuFn.vtd_propagate_guest_pasid,
];

/** The pseudo-code line of a host call, in the function that made it (tags of qemuPseudocode). */
function hostCallLine(ev: TraceEventOf<'HostCall'>): { fn: QemuFn; tag: string } {
  const failed = ev.ok ? '' : '-failed';
  const seed = ev.fn === QemuFn.vtd_propagate_guest_pasid;
  const via = HOST_FNS.includes(ev.fn) ? ev.fn : QemuFn.vtd_device_attach_iommufd;
  switch (ev.op) {
    case HostCallOp.Faultq:
      return { fn: QemuFn.vtd_create_fs_hwpt, tag: `faultq${failed}` };
    case HostCallOp.Alloc:
      return { fn: QemuFn.vtd_create_fs_hwpt, tag: `alloc${failed}` };
    case HostCallOp.Attach:
      return {
        fn: seed ? ev.fn : QemuFn.vtd_device_attach_iommufd,
        tag: `${ev.id === 1 ? 'attach-parent' : 'attach'}${failed}`,
      };
    case HostCallOp.Detach:
      return { fn: seed ? ev.fn : QemuFn.vtd_device_detach_iommufd, tag: `detach${failed}` };
    case HostCallOp.Free:
      return via === QemuFn.vtd_destroy_old_fs_hwpt
        ? { fn: via, tag: 'free' }
        : {
            fn: via === QemuFn.vtd_create_fs_hwpt || seed ? via : QemuFn.vtd_device_attach_iommufd,
            tag: 'free-new',
          };
    case HostCallOp.Invalidate:
      return { fn: QemuFn.vtd_flush_host_piotlb_all_locked, tag: 'invalidate' };
    default:
      return { fn: QemuFn.vtd_device_attach_iommufd, tag: 'attach' };
  }
}

/** The QEMU calls from the queue down to `fn`, for the pane's breadcrumb. */
export function callChain(fn: QemuFn, ctx: EventContext, accelPart: boolean): QemuFn[] {
  if (fn === QemuFn.guest) return [QemuFn.guest];
  const chain: QemuFn[] = [QemuFn.vtd_process_inv_desc];
  if (fn === QemuFn.vtd_process_inv_desc) return chain;
  const viaContextCache = ctx.contextCacheInv !== undefined;
  chain.push(
    viaContextCache
      ? QemuFn.vtd_process_context_cache_desc
      : ctx.desc?.type === 5
        ? QemuFn.vtd_process_wait_desc
        : QemuFn.vtd_process_pasid_desc,
  );
  if (
    fn === QemuFn.vtd_process_pasid_desc ||
    fn === QemuFn.vtd_process_wait_desc ||
    fn === QemuFn.vtd_process_context_cache_desc
  ) {
    return [QemuFn.vtd_process_inv_desc, fn];
  }
  const devsi = viaContextCache && ctx.contextCacheInv?.granularity === 3;
  if (devsi) {
    chain.push(QemuFn.vtd_pasid_cache_devsi);
    if (fn === QemuFn.vtd_pasid_cache_devsi) return chain;
  } else {
    if (viaContextCache) chain.push(QemuFn.vtd_replay_pasid_bindings_all);
    if (fn === QemuFn.vtd_replay_pasid_bindings_all) return chain;
    chain.push(QemuFn.vtd_pasid_cache_sync);
    if (fn === QemuFn.vtd_pasid_cache_sync) return chain;
  }
  const tail: Partial<Record<QemuFn, readonly QemuFn[]>> = accelPart
    ? {
        [QemuFn.vtd_accel_pasid_cache_sync]: [QemuFn.vtd_accel_pasid_cache_sync],
        [QemuFn.vtd_accel_pasid_cache_invalidate_one]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_accel_pasid_cache_invalidate_one,
        ],
        [QemuFn.vtd_accel_delete_pc]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_accel_pasid_cache_invalidate_one,
          QemuFn.vtd_accel_delete_pc,
        ],
        [QemuFn.vtd_dev_get_pe_from_pasid]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_accel_pasid_cache_invalidate_one,
          QemuFn.vtd_dev_get_pe_from_pasid,
        ],
        [QemuFn.vtd_dev_to_context_entry]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_dev_to_context_entry,
        ],
        [QemuFn.vtd_sm_pasid_table_walk]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_sm_pasid_table_walk,
        ],
        [QemuFn.vtd_get_pdire_from_pdir_table]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_sm_pasid_table_walk,
          QemuFn.vtd_get_pdire_from_pdir_table,
        ],
        [QemuFn.vtd_sm_pasid_table_walk_one]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_sm_pasid_table_walk,
          QemuFn.vtd_sm_pasid_table_walk_one,
        ],
        [QemuFn.vtd_get_pe_in_pasid_leaf_table]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_sm_pasid_table_walk,
          QemuFn.vtd_sm_pasid_table_walk_one,
          QemuFn.vtd_get_pe_in_pasid_leaf_table,
        ],
        [QemuFn.vtd_accel_fill_pc]: [
          QemuFn.vtd_accel_pasid_cache_sync,
          QemuFn.vtd_sm_pasid_table_walk,
          QemuFn.vtd_sm_pasid_table_walk_one,
          QemuFn.vtd_accel_fill_pc,
        ],
      }
    : {
        [QemuFn.vtd_pasid_cache_sync_locked]: [QemuFn.vtd_pasid_cache_sync_locked],
        [QemuFn.vtd_dev_get_pe_from_pasid]: [
          QemuFn.vtd_pasid_cache_sync_locked,
          QemuFn.vtd_dev_get_pe_from_pasid,
        ],
        [QemuFn.vtd_dev_to_context_entry]: [
          QemuFn.vtd_pasid_cache_sync_locked,
          QemuFn.vtd_dev_get_pe_from_pasid,
          QemuFn.vtd_dev_to_context_entry,
        ],
        [QemuFn.vtd_ce_pasid_0_check]: [
          QemuFn.vtd_pasid_cache_sync_locked,
          QemuFn.vtd_dev_get_pe_from_pasid,
          QemuFn.vtd_dev_to_context_entry,
          QemuFn.vtd_ce_pasid_0_check,
        ],
        [QemuFn.vtd_get_pdire_from_pdir_table]: [
          QemuFn.vtd_pasid_cache_sync_locked,
          QemuFn.vtd_dev_get_pe_from_pasid,
          QemuFn.vtd_get_pdire_from_pdir_table,
        ],
        [QemuFn.vtd_get_pe_in_pasid_leaf_table]: [
          QemuFn.vtd_pasid_cache_sync_locked,
          QemuFn.vtd_dev_get_pe_from_pasid,
          QemuFn.vtd_get_pe_in_pasid_leaf_table,
        ],
      };
  return [...chain, ...(tail[fn] ?? [fn])];
}

/** Index of the tagged line in a function's full line list (-1 if the function has no such tag). */
export function lineIndex(ref: LineRef): number {
  return PSEUDOCODE[ref.fn].lines.findIndex((l) => l.tag === ref.tag);
}

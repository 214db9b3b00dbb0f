// vtd_process_inv_desc and its handlers (hw/i386/intel_iommu.c): vtd_inv_desc_reserved_check,
// vtd_process_pasid_desc, vtd_process_wait_desc, vtd_process_context_cache_desc and the checks of
// the IOTLB, device-TLB, IEC, PASID-IOTLB, PASID device-TLB and page group response handlers.
// A handler returning false sets FSTS.IQE; later descriptors are not processed until the guest
// clears it (the caller keeps that state).
//
// Every check that does not depend on guest memory is in vtdInvDescCheck, so that views can
// replay the queue state (memoryAtStep) without running the caches.

import {
  MAX_ADDRESS_MASK,
  PAGE_GROUP_RESPONSE_RESERVED_HI,
  PAGE_GROUP_RESPONSE_RESERVED_LO,
  RESERVED_MASKS,
  WAIT_RESERVED_MASKS_PDS,
} from '../invalidation/reservedMasks.ts';
import {
  descriptorTypeCode,
  descriptorTypeName,
  DescType,
} from '../invalidation/descriptorType.ts';
import type { PcInfo } from '../run/runTypes.ts';
import { PcType, QemuFn, RejectReason } from '../trace/traceFormat.ts';
import {
  emitContextCacheInv,
  emitDescFetched,
  emitDescNoEffect,
  emitDescRejected,
  emitPcInfoBuilt,
  emitWaitStatusWrite,
} from '../trace/traceEmitters.ts';
import type { VtdCaps } from './vtdCapInit.ts';
import { decodePiotlb, vtdFlushHostPiotlbAll } from './vtdHostBinding.ts';
import {
  vtdContextDeviceInvalidate,
  vtdContextGlobalInvalidate,
  vtdPasidCacheSync,
} from './vtdPasidCacheSync.ts';
import type { VtdState } from './vtdState.ts';

export interface DescriptorRejection {
  readonly reason: RejectReason;
  /** What QEMU's error_report says, in our words. */
  readonly message: string;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** The four words QEMU sees: a 128-bit queue reads only val[0..1] (val[2..3] stay zero). */
export function descriptorWords(
  caps: VtdCaps,
  desc: readonly bigint[],
): [bigint, bigint, bigint, bigint] {
  const w = (i: number): bigint => BigInt.asUintN(64, desc[i] ?? 0n);
  return caps.iqDw ? [w(0), w(1), w(2), w(3)] : [w(0), w(1), 0n, 0n];
}

const TYPE_LABELS: Readonly<Record<number, string>> = {
  1: 'context-cache invalidation',
  2: 'IOTLB invalidation',
  3: 'device-TLB invalidation',
  4: 'interrupt entry cache invalidation',
  5: 'invalidation wait',
  6: 'PASID-IOTLB invalidation',
  7: 'PASID-cache invalidation',
  8: 'PASID device-TLB invalidation',
  9: 'page group response',
};

/**
 * vtd_inv_desc_reserved_check: in a 256-bit queue every word against its mask; in a 128-bit queue
 * a 256-bit-only type is refused first, then lo and hi are checked.
 */
function reservedCheck(
  caps: VtdCaps,
  v: readonly [bigint, bigint, bigint, bigint],
  code: number,
): DescriptorRejection | undefined {
  const spec = code === 5 && caps.svm ? WAIT_RESERVED_MASKS_PDS : RESERVED_MASKS[code];
  if (!spec) return undefined;
  const label = TYPE_LABELS[code] ?? 'descriptor';
  const isPc = code === 7;
  const isWait = code === 5;
  const isCc = code === 1;
  const reservedReason = isPc
    ? RejectReason.PasidDescReservedBits
    : isWait
      ? RejectReason.WaitDescReservedBits
      : isCc
        ? RejectReason.ContextDescReservedBits
        : RejectReason.OtherDescReservedBits;
  const [m0, m1, m2, m3] = spec.masks;
  if (caps.iqDw) {
    if (v[0] & m0 || v[1] & m1 || v[2] & m2 || v[3] & m3) {
      return {
        reason: reservedReason,
        message:
          `reserved bits set in the ${label} descriptor ` +
          `(val[3]=${hex(v[3])} val[2]=${hex(v[2])} val[1]=${hex(v[1])} val[0]=${hex(v[0])})`,
      };
    }
    return undefined;
  }
  if (spec.needs256) {
    return {
      reason: isPc ? RejectReason.PasidDescIn128BitQueue : RejectReason.OtherDescIn128BitQueue,
      message: `256-bit ${label} descriptor in a 128-bit invalidation queue`,
    };
  }
  if (v[0] & m0 || v[1] & m1) {
    return {
      reason: reservedReason,
      message: `reserved bits set in the ${label} descriptor (hi=${hex(v[1])} lo=${hex(v[0])})`,
    };
  }
  return undefined;
}

/**
 * Every rejection QEMU can make before a descriptor has an effect, in QEMU's order. The wait
 * descriptor's status write (which fails outside guest RAM) is the one check left to the caller.
 */
export function vtdInvDescCheck(
  caps: VtdCaps,
  v: readonly [bigint, bigint, bigint, bigint],
): DescriptorRejection | undefined {
  const code = descriptorTypeCode(v[0]);
  const lo = v[0];
  const hi = v[1];
  switch (code) {
    case DescType.ContextCache: {
      const r = reservedCheck(caps, v, code);
      if (r) return r;
      if (((lo >> 4n) & 3n) === 0n) {
        return {
          reason: RejectReason.ContextDescGranularity0,
          message: `context-cache invalidation with granularity 0 (hi=${hex(hi)} lo=${hex(lo)})`,
        };
      }
      return undefined;
    }
    case DescType.Iotlb: {
      const r = reservedCheck(caps, v, code);
      if (r) return r;
      const g = (lo >> 4n) & 3n;
      if (g === 0n) {
        return {
          reason: RejectReason.OtherDescGranularity,
          message: `IOTLB invalidation with granularity 0 (hi=${hex(hi)} lo=${hex(lo)})`,
        };
      }
      if (g === 3n && Number(hi & 0x3fn) > MAX_ADDRESS_MASK) {
        return {
          reason: RejectReason.OtherDescAddressMask,
          message: `IOTLB page invalidation with address mask ${Number(hi & 0x3fn)} > ${MAX_ADDRESS_MASK}`,
        };
      }
      return undefined;
    }
    case DescType.DeviceIotlb:
    case DescType.InterruptEntryCache:
    case DescType.PasidDeviceIotlb:
      return reservedCheck(caps, v, code);
    case DescType.Wait: {
      const r = reservedCheck(caps, v, code);
      if (r) return r;
      if ((lo & 0x70n) === 0n) {
        return {
          reason: RejectReason.WaitDescNoAction,
          message: `wait descriptor with none of IF, SW, FN set (hi=${hex(hi)} lo=${hex(lo)})`,
        };
      }
      return undefined;
    }
    case DescType.PasidIotlb: {
      const r = reservedCheck(caps, v, code);
      if (r) return r;
      const g = (lo >> 4n) & 3n;
      if (g === 3n && Number(hi & 0x3fn) > MAX_ADDRESS_MASK) {
        return {
          reason: RejectReason.OtherDescAddressMask,
          message: `PASID-IOTLB page invalidation with address mask ${Number(hi & 0x3fn)} > ${MAX_ADDRESS_MASK}`,
        };
      }
      if (g !== 2n && g !== 3n) {
        return {
          reason: RejectReason.OtherDescGranularity,
          message: `PASID-IOTLB invalidation with granularity ${g} (hi=${hex(hi)} lo=${hex(lo)})`,
        };
      }
      return undefined;
    }
    case DescType.PasidCache: {
      const r = reservedCheck(caps, v, code);
      if (r) return r;
      if (((lo >> 4n) & 3n) === 2n) {
        return {
          reason: RejectReason.PasidDescGranularity2,
          message: `invalid granularity 2 in PASID-cache invalidation (hi=${hex(hi)} lo=${hex(lo)})`,
        };
      }
      return undefined;
    }
    case DescType.PageGroupResponse: {
      // Checks lo / hi itself: no queue-width rule and val[2..3] are not looked at.
      if (lo & PAGE_GROUP_RESPONSE_RESERVED_LO || hi & PAGE_GROUP_RESPONSE_RESERVED_HI) {
        return {
          reason: RejectReason.OtherDescReservedBits,
          message: `reserved bits set in the page group response descriptor (hi=${hex(hi)} lo=${hex(lo)})`,
        };
      }
      if ((lo & 0x10n) === 0n) {
        return {
          reason: RejectReason.PageResponseWithoutPasid,
          message: 'page group response without PASID (not supported by QEMU)',
        };
      }
      return undefined;
    }
    default:
      return {
        reason: RejectReason.UnknownType,
        message: `unknown descriptor type 0x${code.toString(16)} (hi=${hex(hi)} lo=${hex(lo)})`,
      };
  }
}

export interface ProcessedDescriptor {
  readonly typeCode: number;
  readonly descType: string | undefined;
  readonly rejection: DescriptorRejection | undefined;
  /** For a processed PASID-cache descriptor: QEMU's VTDPASIDCacheInfo. */
  readonly pcInfo: PcInfo | undefined;
}

/** The status write of a wait descriptor with SW: 4 bytes of data at the hi word. */
export function waitStatusWrite(
  v: readonly [bigint, bigint, bigint, bigint],
): { addr: bigint; data: number } | undefined {
  if ((v[0] & 0x20n) === 0n) return undefined;
  return { addr: v[1], data: Number((v[0] >> 32n) & 0xffff_ffffn) };
}

/**
 * vtd_process_inv_desc for one descriptor (FSTS.IQE is the caller's: a blocked descriptor never
 * gets here). Returns what happened; a rejection means the caller sets IQE.
 */
export function vtdProcessInvDesc(st: VtdState, desc: readonly bigint[]): ProcessedDescriptor {
  const { trace, caps } = st;
  const v = descriptorWords(caps, desc);
  const code = descriptorTypeCode(v[0]);
  const descType = descriptorTypeName(code);
  emitDescFetched(trace, { typeCode: code, queueWidth: caps.iqDw ? 256 : 128 });

  const reject = (rejection: DescriptorRejection, fn: QemuFn): ProcessedDescriptor => {
    emitDescRejected(trace, { fn, reason: rejection.reason, typeCode: code });
    return { typeCode: code, descType, rejection, pcInfo: undefined };
  };
  const handlerFn =
    code === DescType.PasidCache
      ? QemuFn.vtd_process_pasid_desc
      : code === DescType.Wait
        ? QemuFn.vtd_process_wait_desc
        : code === DescType.ContextCache
          ? QemuFn.vtd_process_context_cache_desc
          : QemuFn.vtd_process_inv_desc;

  const rejection = vtdInvDescCheck(caps, v);
  if (rejection) return reject(rejection, handlerFn);

  switch (code) {
    case DescType.PasidCache: {
      // vtd_process_pasid_desc: pc_info is zero-initialised; DSI leaves pasid 0, global both.
      const g = Number((v[0] >> 4n) & 3n);
      const did = Number((v[0] >> 16n) & 0xffffn);
      const pasid = Number((v[0] >> 32n) & 0xfffffn);
      const info =
        g === 0
          ? { type: PcType.DomainSelective, did, pasid: 0, accelPceDeleted: false }
          : g === 1
            ? { type: PcType.PasidSelective, did, pasid, accelPceDeleted: false }
            : { type: PcType.Global, did: 0, pasid: 0, accelPceDeleted: false };
      emitPcInfoBuilt(trace, { pcType: info.type, did: info.did, pasid: info.pasid });
      const pcInfo: PcInfo = { type: info.type, did: info.did, pasid: info.pasid };
      vtdPasidCacheSync(st, info);
      return { typeCode: code, descType, rejection: undefined, pcInfo };
    }
    case DescType.ContextCache: {
      const g = Number((v[0] >> 4n) & 3n);
      const did = Number((v[0] >> 16n) & 0xffffn);
      const sid = Number((v[0] >> 32n) & 0xffffn);
      const fm = Number((v[0] >> 48n) & 3n);
      if (g === 3) {
        emitContextCacheInv(trace, { granularity: g, didOrSourceId: sid, functionMask: fm });
        vtdContextDeviceInvalidate(st, sid, fm);
      } else {
        // Domain-selective is handled as global.
        const didOrSourceId = g === 2 ? did : 0;
        emitContextCacheInv(trace, { granularity: g, didOrSourceId, functionMask: 0 });
        vtdContextGlobalInvalidate(st);
      }
      return { typeCode: code, descType, rejection: undefined, pcInfo: undefined };
    }
    case DescType.Wait: {
      const write = waitStatusWrite(v);
      if (write) {
        if (!st.memory.dmaWrite32(write.addr, write.data)) {
          return reject(
            {
              reason: RejectReason.WaitStatusWriteFailed,
              message: `wait descriptor status write to ${hex(write.addr)} failed: outside guest RAM`,
            },
            QemuFn.vtd_process_wait_desc,
          );
        }
        emitWaitStatusWrite(trace, { addr: write.addr, data: write.data });
      } else {
        emitDescNoEffect(trace, { fn: QemuFn.vtd_process_wait_desc, typeCode: code });
      }
      return { typeCode: code, descType, rejection: undefined, pcInfo: undefined };
    }
    case DescType.PasidIotlb:
      // vtd_process_piotlb_desc: the emulated IOTLB is out of scope; the host flush is modelled.
      emitDescNoEffect(trace, { fn: QemuFn.vtd_process_inv_desc, typeCode: code });
      vtdFlushHostPiotlbAll(st, decodePiotlb(v));
      return { typeCode: code, descType, rejection: undefined, pcInfo: undefined };
    default:
      // IOTLB, device-TLB, IEC, PASID device-TLB, page group response: QEMU's own work (IOTLB,
      // shadow pages) touches no PASID cache.
      emitDescNoEffect(trace, { fn: QemuFn.vtd_process_inv_desc, typeCode: code });
      return { typeCode: code, descType, rejection: undefined, pcInfo: undefined };
  }
}

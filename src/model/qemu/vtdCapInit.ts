// What QEMU derives from its properties and the guest's register writes before any descriptor
// runs: vtd_cap_init (ECAP.FSTS / SSTS / PT, CAP.SAGAW), vtd_root_table_setup (the masked root
// table address and root_scalable) and vtd_update_iq_dw (256-bit descriptors).

import type { IommuConfig } from '../scenario/scenarioTypes.ts';

export interface VtdCaps {
  readonly awBits: number;
  readonly fsts: boolean;
  readonly pasidBits: number;
  /** QEMU property svm: ECAP.PDS (wait descriptor PD bit allowed), fault queues in the series. */
  readonly svm: boolean;
  /** ECAP.FSTS: first-stage PASID entries (PGTT 1) accepted. Set with fsts. */
  readonly ecapFsts: boolean;
  /** ECAP.SSTS: second-stage PASID entries (PGTT 2) accepted. Set with scalable mode, no fsts. */
  readonly ecapSsts: boolean;
  /** ECAP.PT: pass-through entries (PGTT 4); QEMU sets it unconditionally. */
  readonly ecapPt: boolean;
  /** CAP.SAGAW: 3-level second-stage tables (aw-bits >= 39). */
  readonly sagaw3Level: boolean;
  /** CAP.SAGAW: 4-level second-stage tables (aw-bits >= 48). */
  readonly sagaw4Level: boolean;
  /** s->root_scalable: RTADDR.SMT latched by SRTP, which only counts with scalable-mode on. */
  readonly rootScalable: boolean;
  /** s->dmar_enabled (GCMD.TE). */
  readonly dmarEnabled: boolean;
  /** s->iq_dw: descriptors are 256-bit (needs ECAP.SMTS, i.e. scalable-mode or fsts, and IQA.DW). */
  readonly iqDw: boolean;
  /** s->root = RTADDR & VTD_RTADDR_ADDR_MASK(aw): bits [12, aw). */
  readonly rootTable: bigint;
  readonly rootTableHi: number;
  readonly rootTableLo: number;
}

export function hawMaskOf(awBits: number): bigint {
  return (1n << BigInt(awBits)) - 1n;
}

export function vtdCapInit(cfg: IommuConfig): VtdCaps {
  const smts = cfg.scalableMode || cfg.fsts;
  const rootTable = cfg.rootTableAddr & (hawMaskOf(cfg.awBits) ^ 0xfffn);
  return {
    awBits: cfg.awBits,
    fsts: cfg.fsts,
    pasidBits: cfg.pasidBits,
    svm: cfg.svm ?? false,
    ecapFsts: cfg.fsts,
    ecapSsts: !cfg.fsts && cfg.scalableMode,
    ecapPt: true,
    sagaw3Level: cfg.awBits >= 39,
    sagaw4Level: cfg.awBits >= 48,
    rootScalable: cfg.scalableMode && cfg.rootScalable,
    dmarEnabled: cfg.dmarEnabled,
    iqDw: smts && cfg.queueWidth === 256,
    rootTable,
    rootTableHi: Number(rootTable >> 32n),
    rootTableLo: Number(rootTable & 0xffff_ffffn),
  };
}

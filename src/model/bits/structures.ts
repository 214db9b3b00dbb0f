// The VT-d structures PASIDscope models, as field tables (see ../../../../shared/vtd-reference.md,
// sections 1-3). Reserved masks that depend on the address width are computed by the
// functions at the bottom, exactly as QEMU's macros build them.

import type { StructureLayout } from './bitFields.ts';

export const PGTT_NAMES: Readonly<Record<number, string>> = {
  0: 'invalid',
  1: 'first-stage',
  2: 'second-stage',
  3: 'nested',
  4: 'pass-through',
  5: 'reserved (5)',
  6: 'reserved (6)',
  7: 'reserved (7)',
};

export const PC_GRANULARITY_NAMES: Readonly<Record<number, string>> = {
  0: 'domain-selective',
  1: 'PASID-selective',
  2: 'reserved (2)',
  3: 'global',
};

export const CC_GRANULARITY_NAMES: Readonly<Record<number, string>> = {
  0: 'reserved (0)',
  1: 'global',
  2: 'domain-selective',
  3: 'device-selective',
};

/** Root entry (128-bit, scalable mode): lower half for devfn 0..127, upper for 128..255. */
export const ROOT_ENTRY: StructureLayout = {
  name: 'root entry',
  words: 2,
  fields: [
    {
      name: 'lowerPresent',
      label: 'LP',
      word: 0,
      lo: 0,
      width: 1,
      kind: 'flag',
      description: 'Lower context table (devfn 0-127) present.',
    },
    {
      name: 'lowerReserved',
      label: 'rsvd',
      word: 0,
      lo: 1,
      width: 11,
      kind: 'reserved',
      description:
        'Reserved; QEMU rejects the entry (fault 0xa) when set, after the present check.',
    },
    {
      name: 'lowerContextTable',
      label: 'LCTP',
      word: 0,
      lo: 12,
      width: 52,
      kind: 'address',
      description: 'Lower scalable-mode context table (4 KiB).',
    },
    {
      name: 'upperPresent',
      label: 'UP',
      word: 1,
      lo: 0,
      width: 1,
      kind: 'flag',
      description: 'Upper context table (devfn 128-255) present.',
    },
    {
      name: 'upperReserved',
      label: 'rsvd',
      word: 1,
      lo: 1,
      width: 11,
      kind: 'reserved',
      description: 'Reserved; checked in both halves in scalable mode.',
    },
    {
      name: 'upperContextTable',
      label: 'UCTP',
      word: 1,
      lo: 12,
      width: 52,
      kind: 'address',
      description: 'Upper scalable-mode context table (4 KiB).',
    },
  ],
};

/** Scalable-mode context entry (256-bit). */
export const CONTEXT_ENTRY: StructureLayout = {
  name: 'scalable-mode context entry',
  words: 4,
  fields: [
    {
      name: 'present',
      label: 'P',
      word: 0,
      lo: 0,
      width: 1,
      kind: 'flag',
      description: 'Present; QEMU returns fault 0x2 when clear.',
    },
    {
      name: 'fpd',
      label: 'FPD',
      word: 0,
      lo: 1,
      width: 1,
      kind: 'flag',
      description: 'Fault processing disable; only affects fault reporting.',
    },
    {
      name: 'dte',
      label: 'DTE',
      word: 0,
      lo: 2,
      width: 1,
      kind: 'flag',
      description: 'Device-TLB enable; QEMU does not check it.',
    },
    {
      name: 'paside',
      label: 'PASIDE',
      word: 0,
      lo: 3,
      width: 1,
      kind: 'flag',
      description: 'PASID enable; QEMU does not check it.',
    },
    {
      name: 'pre',
      label: 'PRE',
      word: 0,
      lo: 4,
      width: 1,
      kind: 'flag',
      description: 'Page request enable; used only by the PRQ code.',
    },
    {
      name: 'reserved0',
      label: 'rsvd',
      word: 0,
      lo: 5,
      width: 4,
      kind: 'reserved',
      description: 'Reserved (bits 8:5); QEMU faults 0xb when set.',
    },
    {
      name: 'pdts',
      label: 'PDTS',
      word: 0,
      lo: 9,
      width: 3,
      kind: 'number',
      description:
        'PASID directory has 2^(PDTS+7) entries; the accel walk stops at 2^(PDTS+7)*64 PASIDs.',
    },
    {
      name: 'pasidDirPtr',
      label: 'PASIDDIRPTR',
      word: 0,
      lo: 12,
      width: 52,
      kind: 'address',
      description:
        'PASID directory base (4 KiB aligned); bits at or above the address width are reserved.',
    },
    {
      name: 'ridPasid',
      label: 'RID_PASID',
      word: 1,
      lo: 0,
      width: 20,
      kind: 'number',
      description: 'PASID for requests without PASID; QEMU ignores it and always uses PASID 0.',
    },
    {
      name: 'ridPriv',
      label: 'RID_PRIV',
      word: 1,
      lo: 20,
      width: 1,
      kind: 'flag',
      description: 'Privilege for requests without PASID; allowed, unused here.',
    },
    {
      name: 'reserved1',
      label: 'rsvd',
      word: 1,
      lo: 21,
      width: 43,
      kind: 'reserved',
      description: 'Reserved (val[1] bits 63:21); QEMU faults 0xb when set.',
    },
    {
      name: 'reserved2',
      label: 'rsvd',
      word: 2,
      lo: 0,
      width: 64,
      kind: 'reserved',
      description: 'Reserved; must be zero.',
    },
    {
      name: 'reserved3',
      label: 'rsvd',
      word: 3,
      lo: 0,
      width: 64,
      kind: 'reserved',
      description: 'Reserved; must be zero.',
    },
  ],
};

/** PASID directory entry (64-bit). QEMU checks no reserved bits here. */
export const PASID_DIR_ENTRY: StructureLayout = {
  name: 'PASID directory entry',
  words: 1,
  fields: [
    {
      name: 'present',
      label: 'P',
      word: 0,
      lo: 0,
      width: 1,
      kind: 'flag',
      description: 'Present; when clear the accel walk skips the whole 64-PASID chunk.',
    },
    {
      name: 'fpd',
      label: 'FPD',
      word: 0,
      lo: 1,
      width: 1,
      kind: 'flag',
      description: 'Fault processing disable; only affects fault reporting.',
    },
    {
      name: 'reserved',
      label: 'rsvd',
      word: 0,
      lo: 2,
      width: 10,
      kind: 'reserved',
      description: 'Reserved by the spec; QEMU does not check it.',
    },
    {
      name: 'pasidTablePtr',
      label: 'PTP',
      word: 0,
      lo: 12,
      width: 52,
      kind: 'address',
      description: 'PASID table (64 entries, 4 KiB); not masked to the address width.',
    },
  ],
};

/** Scalable-mode PASID table entry (512-bit). QEMU checks no reserved bits here. */
export const PASID_ENTRY: StructureLayout = {
  name: 'PASID table entry',
  words: 8,
  fields: [
    {
      name: 'present',
      label: 'P',
      word: 0,
      lo: 0,
      width: 1,
      kind: 'flag',
      description: 'Present; QEMU checks PGTT and levels before this bit.',
    },
    {
      name: 'fpd',
      label: 'FPD',
      word: 0,
      lo: 1,
      width: 1,
      kind: 'flag',
      description: 'Fault processing disable.',
    },
    {
      name: 'aw',
      label: 'AW',
      word: 0,
      lo: 2,
      width: 3,
      kind: 'number',
      description:
        'Second-stage address width: level = AW + 2, must be in SAGAW (3-level, or 4-level with aw-bits 48).',
    },
    {
      name: 'pgtt',
      label: 'PGTT',
      word: 0,
      lo: 6,
      width: 3,
      kind: 'enum',
      values: PGTT_NAMES,
      description:
        'Translation type: with fsts 1 and 4 are accepted, without fsts 2 and 4; others fault 0x5b.',
    },
    {
      name: 'ssade',
      label: 'SSADE',
      word: 0,
      lo: 9,
      width: 1,
      kind: 'flag',
      description: 'Second-stage access/dirty enable.',
    },
    {
      name: 'ssptptr',
      label: 'SSPTPTR',
      word: 0,
      lo: 12,
      width: 52,
      kind: 'address',
      description: 'Second-stage page-table root.',
    },
    {
      name: 'did',
      label: 'DID',
      word: 1,
      lo: 0,
      width: 16,
      kind: 'number',
      description: 'Domain ID; domain- and PASID-selective invalidations match it.',
    },
    {
      name: 'pwsnp',
      label: 'PWSNP',
      word: 1,
      lo: 23,
      width: 1,
      kind: 'flag',
      description: 'Page-walk snoop.',
    },
    {
      name: 'pgsnp',
      label: 'PGSNP',
      word: 1,
      lo: 24,
      width: 1,
      kind: 'flag',
      description: 'Page snoop.',
    },
    {
      name: 'sre',
      label: 'SRE',
      word: 2,
      lo: 0,
      width: 1,
      kind: 'flag',
      description: 'Supervisor requests enable (passed to the host for first-stage).',
    },
    {
      name: 'fspm',
      label: 'FSPM',
      word: 2,
      lo: 2,
      width: 2,
      kind: 'number',
      description: 'First-stage paging mode: 0 = 4-level; QEMU rejects anything else (0x5b).',
    },
    {
      name: 'wpe',
      label: 'WPE',
      word: 2,
      lo: 4,
      width: 1,
      kind: 'flag',
      description: 'Write protect enable.',
    },
    {
      name: 'nxe',
      label: 'NXE',
      word: 2,
      lo: 5,
      width: 1,
      kind: 'flag',
      description: 'No-execute enable (older kernels).',
    },
    {
      name: 'eafe',
      label: 'EAFE',
      word: 2,
      lo: 7,
      width: 1,
      kind: 'flag',
      description: 'Extended accessed flag enable.',
    },
    {
      name: 'fsptptr',
      label: 'FSPTPTR',
      word: 2,
      lo: 12,
      width: 52,
      kind: 'address',
      description: 'First-stage page-table root.',
    },
  ],
};

/** PASID-cache invalidation descriptor (type 7, 256-bit). */
export const PASID_CACHE_DESC: StructureLayout = {
  name: 'PASID-cache invalidation descriptor',
  words: 4,
  fields: [
    {
      name: 'type',
      label: 'Type[3:0]',
      word: 0,
      lo: 0,
      width: 4,
      kind: 'number',
      description: 'Descriptor type low bits: 7 for PASID-cache.',
    },
    {
      name: 'granularity',
      label: 'G',
      word: 0,
      lo: 4,
      width: 2,
      kind: 'enum',
      values: PC_GRANULARITY_NAMES,
      description: '0 domain-selective, 1 PASID-selective, 3 global; 2 is reserved and sets IQE.',
    },
    {
      name: 'reserved0',
      label: 'rsvd',
      word: 0,
      lo: 6,
      width: 3,
      kind: 'reserved',
      description: 'Reserved (bits 8:6): IQE when set.',
    },
    {
      name: 'typeHigh',
      label: 'Type[6:4]',
      word: 0,
      lo: 9,
      width: 3,
      kind: 'number',
      description: 'Descriptor type high bits: 0 for PASID-cache.',
    },
    {
      name: 'reserved1',
      label: 'rsvd',
      word: 0,
      lo: 12,
      width: 4,
      kind: 'reserved',
      description: 'Reserved (bits 15:12): IQE when set.',
    },
    {
      name: 'did',
      label: 'DID',
      word: 0,
      lo: 16,
      width: 16,
      kind: 'number',
      description: 'Domain ID (domain- and PASID-selective).',
    },
    {
      name: 'pasid',
      label: 'PASID',
      word: 0,
      lo: 32,
      width: 20,
      kind: 'number',
      description: 'PASID (PASID-selective).',
    },
    {
      name: 'reserved2',
      label: 'rsvd',
      word: 0,
      lo: 52,
      width: 12,
      kind: 'reserved',
      description: 'Reserved (bits 63:52): IQE when set.',
    },
    {
      name: 'reserved3',
      label: 'rsvd',
      word: 1,
      lo: 0,
      width: 64,
      kind: 'reserved',
      description: 'Reserved: IQE when any bit is set.',
    },
    {
      name: 'reserved4',
      label: 'rsvd',
      word: 2,
      lo: 0,
      width: 64,
      kind: 'reserved',
      description: 'Reserved: IQE when any bit is set.',
    },
    {
      name: 'reserved5',
      label: 'rsvd',
      word: 3,
      lo: 0,
      width: 64,
      kind: 'reserved',
      description: 'Reserved: IQE when any bit is set.',
    },
  ],
};

/** Invalidation-wait descriptor (type 5). */
export const WAIT_DESC: StructureLayout = {
  name: 'invalidation-wait descriptor',
  words: 2,
  fields: [
    {
      name: 'type',
      label: 'Type[3:0]',
      word: 0,
      lo: 0,
      width: 4,
      kind: 'number',
      description: 'Descriptor type low bits: 5 for wait.',
    },
    {
      name: 'if',
      label: 'IF',
      word: 0,
      lo: 4,
      width: 1,
      kind: 'flag',
      description: 'Interrupt on completion.',
    },
    {
      name: 'sw',
      label: 'SW',
      word: 0,
      lo: 5,
      width: 1,
      kind: 'flag',
      description: 'Status write: QEMU writes the 4-byte status data to the status address.',
    },
    { name: 'fn', label: 'FN', word: 0, lo: 6, width: 1, kind: 'flag', description: 'Fence.' },
    {
      name: 'pd',
      label: 'PD',
      word: 0,
      lo: 7,
      width: 1,
      kind: 'flag',
      description: 'Drain page requests (reserved unless ECAP.PDS).',
    },
    {
      name: 'reserved0',
      label: 'rsvd',
      word: 0,
      lo: 8,
      width: 1,
      kind: 'reserved',
      description: 'Reserved (bit 8).',
    },
    {
      name: 'typeHigh',
      label: 'Type[6:4]',
      word: 0,
      lo: 9,
      width: 3,
      kind: 'number',
      description: 'Descriptor type high bits: 0 for wait.',
    },
    {
      name: 'reserved1',
      label: 'rsvd',
      word: 0,
      lo: 12,
      width: 20,
      kind: 'reserved',
      description: 'Reserved (bits 31:12).',
    },
    {
      name: 'statusData',
      label: 'Status data',
      word: 0,
      lo: 32,
      width: 32,
      kind: 'number',
      description: 'Value written by a status write.',
    },
    {
      name: 'reservedHi',
      label: 'rsvd',
      word: 1,
      lo: 0,
      width: 2,
      kind: 'reserved',
      description: 'Reserved (status address bits 1:0).',
    },
    {
      name: 'statusAddr',
      label: 'Status address',
      word: 1,
      lo: 2,
      width: 62,
      kind: 'address',
      description: 'Where a status write goes (4-byte aligned).',
    },
  ],
};

/** Context-cache invalidation descriptor (type 1). */
export const CONTEXT_CACHE_DESC: StructureLayout = {
  name: 'context-cache invalidation descriptor',
  words: 2,
  fields: [
    {
      name: 'type',
      label: 'Type[3:0]',
      word: 0,
      lo: 0,
      width: 4,
      kind: 'number',
      description: 'Descriptor type low bits: 1 for context-cache.',
    },
    {
      name: 'granularity',
      label: 'G',
      word: 0,
      lo: 4,
      width: 2,
      kind: 'enum',
      values: CC_GRANULARITY_NAMES,
      description:
        '1 global, 2 domain-selective (both replay every PASID binding), 3 device-selective; 0 sets IQE.',
    },
    {
      name: 'reserved0',
      label: 'rsvd',
      word: 0,
      lo: 6,
      width: 3,
      kind: 'reserved',
      description: 'Reserved (bits 8:6).',
    },
    {
      name: 'typeHigh',
      label: 'Type[6:4]',
      word: 0,
      lo: 9,
      width: 3,
      kind: 'number',
      description: 'Descriptor type high bits: 0.',
    },
    {
      name: 'reserved1',
      label: 'rsvd',
      word: 0,
      lo: 12,
      width: 4,
      kind: 'reserved',
      description: 'Reserved (bits 15:12).',
    },
    {
      name: 'did',
      label: 'DID',
      word: 0,
      lo: 16,
      width: 16,
      kind: 'number',
      description: 'Domain ID (domain-selective).',
    },
    {
      name: 'sid',
      label: 'SID',
      word: 0,
      lo: 32,
      width: 16,
      kind: 'number',
      description: 'Source ID = bus << 8 | devfn (device-selective).',
    },
    {
      name: 'fm',
      label: 'FM',
      word: 0,
      lo: 48,
      width: 2,
      kind: 'number',
      description: 'Function mask: low devfn bits ignored when matching (device-selective).',
    },
    {
      name: 'reserved2',
      label: 'rsvd',
      word: 0,
      lo: 50,
      width: 14,
      kind: 'reserved',
      description: 'Reserved (bits 63:50).',
    },
  ],
};

/** Mask of the host address width: bits [0, aw). */
export function hawMask(awBits: number): bigint {
  return (1n << BigInt(awBits)) - 1n;
}

/** VTD_ROOT_ENTRY_RSVD(aw), applied to both halves in scalable mode. */
export function rootEntryReservedMask(awBits: number): bigint {
  return BigInt.asUintN(64, 0xffen | ~hawMask(awBits));
}

/** VTD_SM_CONTEXT_ENTRY_RSVD_VAL0(aw) and _VAL1; val[2] and val[3] must be zero. */
export function contextEntryReservedMasks(
  awBits: number,
): readonly [bigint, bigint, bigint, bigint] {
  return [
    BigInt.asUintN(64, 0x1e0n | ~hawMask(awBits)),
    0xffff_ffff_ffe0_0000n,
    0xffff_ffff_ffff_ffffn,
    0xffff_ffff_ffff_ffffn,
  ];
}

/** VTD_INV_DESC_PASIDC_RSVD_VAL0; val[1..3] must be zero. */
export const PASID_CACHE_DESC_RESERVED_VAL0 = 0xfff0_0000_0000_f1c0n;
/** Context-cache descriptor reserved bits of val[0]; val[1..3] must be zero. */
export const CONTEXT_CACHE_DESC_RESERVED_VAL0 = 0xfffc_0000_0000_f1c0n;
/** Wait descriptor reserved bits (PD is reserved too: QEMU models no ECAP.PDS without svm). */
export const WAIT_DESC_RESERVED_LO = 0xffff_f180n;
/** VTD_INV_DESC_WAIT_RSVD_LO(ecap) with ECAP.PDS (svm on): PD (bit 7) is allowed. */
export const WAIT_DESC_RESERVED_LO_PDS = 0xffff_f100n;
export const WAIT_DESC_RESERVED_HI = 0x3n;

export const ALL_STRUCTURES: readonly StructureLayout[] = [
  ROOT_ENTRY,
  CONTEXT_ENTRY,
  PASID_DIR_ENTRY,
  PASID_ENTRY,
  PASID_CACHE_DESC,
  WAIT_DESC,
  CONTEXT_CACHE_DESC,
];

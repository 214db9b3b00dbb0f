// QEMU's VTDFaultReason values that the PASID-cache paths return (they never record a fault; the
// code only decides "valid" or "invalid").

export const VtdFault = {
  None: 0,
  RootEntryNotPresent: 0x1,
  ContextEntryNotPresent: 0x2,
  RootTableAccess: 0x8,
  ContextTableAccess: 0x9,
  RootEntryReserved: 0xa,
  ContextEntryReserved: 0xb,
  RtaddrInvalidTtm: 0x31,
  PasidDirAccess: 0x50,
  PasidDirEntryNotPresent: 0x51,
  PasidTableAccess: 0x58,
  PasidEntryNotPresent: 0x59,
  PasidTableEntryInvalid: 0x5b,
} as const;
export type VtdFault = (typeof VtdFault)[keyof typeof VtdFault];

export interface VtdFaultInfo {
  /** QEMU's enum name. */
  readonly name: string;
  /** One line for people. */
  readonly text: string;
}

export const VTD_FAULTS: Readonly<Record<number, VtdFaultInfo>> = {
  0x1: { name: 'VTD_FR_ROOT_ENTRY_P', text: 'root entry not present' },
  0x2: { name: 'VTD_FR_CONTEXT_ENTRY_P', text: 'context entry not present' },
  0x8: { name: 'VTD_FR_ROOT_TABLE_INV', text: 'root entry read beyond guest RAM' },
  0x9: { name: 'VTD_FR_CONTEXT_TABLE_INV', text: 'context entry read beyond guest RAM' },
  0xa: { name: 'VTD_FR_ROOT_ENTRY_RSVD', text: 'reserved bits set in the root entry' },
  0xb: { name: 'VTD_FR_CONTEXT_ENTRY_RSVD', text: 'reserved bits set in the context entry' },
  0x31: { name: 'VTD_FR_RTADDR_INV_TTM', text: 'root table is not scalable-mode' },
  0x50: {
    name: 'VTD_FR_PASID_DIR_ACCESS_ERR',
    text: 'PASID directory entry read beyond guest RAM',
  },
  0x51: { name: 'VTD_FR_PASID_DIR_ENTRY_P', text: 'PASID directory entry not present' },
  0x58: { name: 'VTD_FR_PASID_TABLE_ACCESS_ERR', text: 'PASID table entry read beyond guest RAM' },
  0x59: { name: 'VTD_FR_PASID_ENTRY_P', text: 'PASID table entry not present' },
  0x5b: {
    name: 'VTD_FR_PASID_TABLE_ENTRY_INV',
    text: 'PASID table entry invalid (PGTT, second-stage level or first-stage paging mode)',
  },
};

/** "0x5b VTD_FR_PASID_TABLE_ENTRY_INV: ..." for explanations. */
export function describeFault(code: number): string {
  const info = VTD_FAULTS[code];
  const hex = `0x${code.toString(16)}`;
  return info ? `${hex} ${info.name}: ${info.text}` : `${hex}`;
}

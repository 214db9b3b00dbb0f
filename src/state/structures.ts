// Where each guest structure of a device lives, read from a memory image: the root entry, the
// scalable-mode context entry, the PASID directory and its tables. This only follows pointers (so an
// editor can reach an entry whose present bit is clear); whether QEMU accepts what it finds is the
// model's job, and the previews say so in words.

import {
  CONTEXT_ENTRY,
  PASID_DIR_ENTRY,
  PASID_ENTRY,
  ROOT_ENTRY,
  fieldByName,
  getField,
  hawMask,
  type DeviceConfig,
  type IommuConfig,
  type StructureLayout,
} from '../model/core.ts';
import type { MemoryImage } from './memoryImage.ts';

const PAGE_MASK = ~0xfffn;
const ROOT_PRESENT = fieldByName(ROOT_ENTRY, 'lowerPresent');
const CTX_PRESENT = fieldByName(CONTEXT_ENTRY, 'present');
const CTX_PDTS = fieldByName(CONTEXT_ENTRY, 'pdts');
const DIR_PRESENT = fieldByName(PASID_DIR_ENTRY, 'present');
const PE_PRESENT = fieldByName(PASID_ENTRY, 'present');
const PE_DID = fieldByName(PASID_ENTRY, 'did');
const PE_PGTT = fieldByName(PASID_ENTRY, 'pgtt');

export type EntryKind = 'root' | 'context' | 'dir' | 'pasid';

export const LAYOUT_OF: Readonly<Record<EntryKind, StructureLayout>> = {
  root: ROOT_ENTRY,
  context: CONTEXT_ENTRY,
  dir: PASID_DIR_ENTRY,
  pasid: PASID_ENTRY,
};

/** Bytes per entry of each structure. */
export const ENTRY_BYTES: Readonly<Record<EntryKind, number>> = {
  root: 16,
  context: 32,
  dir: 8,
  pasid: 64,
};

/** An entry the user can select, named by what it is rather than where it is (pointers can change). */
export type EntryRef =
  | { readonly kind: 'root'; readonly bdf: string }
  | { readonly kind: 'context'; readonly bdf: string }
  | { readonly kind: 'dir'; readonly bdf: string; readonly index: number }
  | { readonly kind: 'pasid'; readonly bdf: string; readonly pasid: number };

export function entryRefKey(ref: EntryRef): string {
  switch (ref.kind) {
    case 'root':
    case 'context':
      return `${ref.kind}:${ref.bdf}`;
    case 'dir':
      return `dir:${ref.bdf}:${ref.index}`;
    case 'pasid':
      return `pasid:${ref.bdf}:${ref.pasid}`;
  }
}

export function sameEntryRef(a: EntryRef | undefined, b: EntryRef | undefined): boolean {
  return a !== undefined && b !== undefined && entryRefKey(a) === entryRefKey(b);
}

/** The root table base QEMU uses: RTADDR masked to the address width and 4 KiB. */
export function rootTableBase(iommu: IommuConfig): bigint {
  return iommu.rootTableAddr & hawMask(iommu.awBits) & PAGE_MASK;
}

export interface DevicePath {
  readonly rootAddr: bigint;
  readonly rootWords: readonly bigint[];
  /** The half of the root entry this devfn uses (0 lower, 1 upper). */
  readonly rootHalf: 0 | 1;
  readonly rootPresent: boolean;
  /** Context-table pointer of that half (0 when none). */
  readonly contextTable: bigint;
  readonly contextAddr: bigint | undefined;
  readonly contextWords: readonly bigint[] | undefined;
  readonly contextPresent: boolean;
  readonly pdts: number;
  /** Directory entries the context entry declares: 2^(PDTS+7). */
  readonly dirEntries: number;
  readonly dirAddr: bigint | undefined;
}

export function devicePath(mem: MemoryImage, iommu: IommuConfig, dev: DeviceConfig): DevicePath {
  const rootAddr = rootTableBase(iommu) + BigInt(dev.bus * 16);
  const rootWords = mem.readWords(rootAddr, 2);
  const rootHalf: 0 | 1 = dev.devfn > 127 ? 1 : 0;
  const half = rootWords[rootHalf] ?? 0n;
  const rootPresent = getField([half], ROOT_PRESENT) === 1n;
  const contextTable = half & PAGE_MASK;
  const reachable = rootPresent || contextTable !== 0n;
  const contextAddr = reachable ? contextTable + BigInt((dev.devfn & 0x7f) * 32) : undefined;
  const contextWords = contextAddr === undefined ? undefined : mem.readWords(contextAddr, 4);
  const contextPresent = contextWords ? getField(contextWords, CTX_PRESENT) === 1n : false;
  const pdts = contextWords ? Number(getField(contextWords, CTX_PDTS)) : 0;
  const dirPtr = contextWords ? (contextWords[0] ?? 0n) & PAGE_MASK : 0n;
  const dirAddr = contextWords && (contextPresent || dirPtr !== 0n) ? dirPtr : undefined;
  return {
    rootAddr,
    rootWords,
    rootHalf,
    rootPresent,
    contextTable,
    contextAddr,
    contextWords,
    contextPresent,
    pdts,
    dirEntries: 1 << (pdts + 7),
    dirAddr,
  };
}

/** The guest address of an entry, following pointers as written (present bits ignored), or why not. */
export function entryAddress(
  mem: MemoryImage,
  iommu: IommuConfig,
  dev: DeviceConfig,
  ref: EntryRef,
): { readonly addr: bigint } | { readonly unreachable: string } {
  const path = devicePath(mem, iommu, dev);
  switch (ref.kind) {
    case 'root':
      return { addr: path.rootAddr };
    case 'context':
      return path.contextAddr === undefined
        ? { unreachable: `The root entry for bus ${hex2(dev.bus)} has no context table yet.` }
        : { addr: path.contextAddr };
    case 'dir':
    case 'pasid': {
      if (path.dirAddr === undefined) {
        return {
          unreachable:
            path.contextAddr === undefined
              ? `The root entry for bus ${hex2(dev.bus)} has no context table yet.`
              : `The context entry of ${dev.bdf} has no PASID directory yet.`,
        };
      }
      const index = ref.kind === 'dir' ? ref.index : (ref.pasid >> 6) & 0x3fff;
      const dirEntryAddr = path.dirAddr + BigInt(index * 8);
      if (ref.kind === 'dir') return { addr: dirEntryAddr };
      const dirWord = mem.read(dirEntryAddr);
      const table = dirWord & PAGE_MASK;
      if (table === 0n && getField([dirWord], DIR_PRESENT) === 0n) {
        return {
          unreachable: `Directory entry ${index} (PASIDs ${hexN(index * 64)}–${hexN(index * 64 + 63)}) has no PASID table yet.`,
        };
      }
      return { addr: table + BigInt((ref.pasid & 63) * 64) };
    }
  }
}

export interface PasidSummary {
  readonly present: boolean;
  readonly did: number;
  readonly pgtt: number;
  /** Any word non-zero (a torn-down entry that kept its fields is worth showing). */
  readonly nonZero: boolean;
}

export function summarisePasidEntry(words: readonly bigint[]): PasidSummary {
  return {
    present: getField(words, PE_PRESENT) === 1n,
    did: Number(getField(words, PE_DID)),
    pgtt: Number(getField(words, PE_PGTT)),
    nonZero: words.some((w) => w !== 0n),
  };
}

export function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function hexN(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

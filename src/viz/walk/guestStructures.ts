// Reading the guest's structures for the view (context entry, directory, leaf entries) from guest
// memory at a scenario step. The walk view shows memory before the walk reaches it, so that a person
// sees what is there and then watches QEMU check it. Only what the view draws is decoded here; the
// model does the real lookups (and their faults) and reports them in the trace.

import {
  CONTEXT_ENTRY,
  PASID_ENTRY,
  fieldByName,
  getField,
  hawMask,
  type DeviceConfig,
  type IommuConfig,
} from '../../model/core.ts';
import type { GuestMemoryView } from './cacheReplay.ts';

export interface ContextView {
  readonly rootEntryAddr: bigint;
  readonly rootPresent: boolean;
  readonly contextAddr?: bigint;
  readonly present: boolean;
  readonly pdts: number;
  readonly dirBase: bigint;
  /** 2^(PDTS+7): directory entries QEMU lets the walk use. */
  readonly dirEntries: number;
}

const PDTS = fieldByName(CONTEXT_ENTRY, 'pdts');
const DIR_PTR = fieldByName(CONTEXT_ENTRY, 'pasidDirPtr');
const PE_DID = fieldByName(PASID_ENTRY, 'did');
const PE_PGTT = fieldByName(PASID_ENTRY, 'pgtt');

export function readContext(
  iommu: IommuConfig,
  device: DeviceConfig,
  mem: GuestMemoryView,
): ContextView {
  const root = iommu.rootTableAddr & hawMask(iommu.awBits) & ~0xfffn;
  const rootEntryAddr = root + BigInt(device.bus * 16);
  const half = mem.readQword(rootEntryAddr + (device.devfn > 127 ? 8n : 0n));
  const rootPresent = (half & 1n) === 1n;
  const none = { rootEntryAddr, rootPresent, present: false, pdts: 0, dirBase: 0n, dirEntries: 0 };
  if (!rootPresent) return none;
  const contextAddr = (half & ~0xfffn) + BigInt((device.devfn & 0x7f) * 32);
  const w0 = mem.readQword(contextAddr);
  const pdts = Number(getField([w0], PDTS));
  return {
    ...none,
    contextAddr,
    present: (w0 & 1n) === 1n,
    pdts,
    dirBase: getField([w0], DIR_PTR) << 12n,
    dirEntries: 2 ** (pdts + 7),
  };
}

export function dirEntryAddr(dirBase: bigint, dir: number): bigint {
  return dirBase + BigInt(dir * 8);
}

export function leafEntryAddr(tableBase: bigint, pasid: number): bigint {
  return tableBase + BigInt((pasid & 0x3f) * 64);
}

export interface LeafMemoryView {
  readonly present: boolean;
  readonly did: number;
  readonly pgtt: number;
}

/** The leaf table of directory entry `dir`, or undefined when the directory entry is not present. */
export function leafTableBase(
  mem: GuestMemoryView,
  dirBase: bigint,
  dir: number,
): bigint | undefined {
  const d = mem.readQword(dirEntryAddr(dirBase, dir));
  return (d & 1n) === 1n ? d & ~0xfffn : undefined;
}

export function readLeaf(mem: GuestMemoryView, tableBase: bigint, pasid: number): LeafMemoryView {
  const addr = leafEntryAddr(tableBase, pasid);
  const w0 = mem.readQword(addr);
  const w1 = mem.readQword(addr + 8n);
  return {
    present: (w0 & 1n) === 1n,
    did: Number(getField([w0, w1], PE_DID)),
    pgtt: Number(getField([w0], PE_PGTT)),
  };
}

const presentDirsMemo = new WeakMap<GuestMemoryView, Map<string, Uint8Array>>();

/** Present bit of every directory entry [0, n) at dirBase; memoised per memory view. */
export function presentDirs(mem: GuestMemoryView, dirBase: bigint, n: number): Uint8Array {
  let perMem = presentDirsMemo.get(mem);
  if (!perMem) {
    perMem = new Map();
    presentDirsMemo.set(mem, perMem);
  }
  const key = `${dirBase.toString(16)}:${n.toString()}`;
  const hit = perMem.get(key);
  if (hit) return hit;
  const out = new Uint8Array(n);
  for (let d = 0; d < n; d++) out[d] = Number(mem.readQword(dirEntryAddr(dirBase, d)) & 1n);
  perMem.set(key, out);
  return out;
}

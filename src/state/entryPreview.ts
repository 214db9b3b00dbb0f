// "What will QEMU make of this entry": the editors' inline preview. The verdict (fault code) always
// comes from the model's own lookup functions; this file only puts it into words and adds what the
// walk will do with it (range limits, DID filters, which cache copies it).

import {
  PGTT_NAMES,
  contextEntryReservedMasks,
  decodeContextEntry,
  decodePasidEntry,
  describeFault,
  rootEntryReservedMask,
  type DeviceConfig,
  type IommuConfig,
  type Scenario,
} from '../model/core.ts';
import { contextLookupFault, pasidLookup } from '../shared/entryLookup.ts';
import type { MemoryImage } from './memoryImage.ts';
import type { ResolvedEntry } from './selectors.ts';
import { ENTRY_BYTES, devicePath } from './structures.ts';

export type PreviewTone = 'ok' | 'warn' | 'error' | 'info';

export interface PreviewLine {
  readonly tone: PreviewTone;
  readonly text: string;
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** Why a PASID entry that reached the leaf check fails it (the model said 0x5b). */
function leafInvalidWhy(iommu: IommuConfig, words: readonly bigint[]): string {
  const e = decodePasidEntry(words);
  const name = PGTT_NAMES[e.pgtt] ?? String(e.pgtt);
  switch (e.pgtt) {
    case 1:
      if (!iommu.fsts) return `PGTT 1 (${name}) is rejected when fsts is off`;
      return `first-stage paging mode FSPM ${e.fspm} is not supported (only 0, 4-level)`;
    case 2:
      if (iommu.fsts) return `PGTT 2 (${name}) is rejected when fsts is on`;
      return `second-stage level AW + 2 = ${e.aw + 2} is not supported with aw-bits ${iommu.awBits}`;
    case 0:
      return e.present
        ? `PGTT 0 (${name}) is never accepted`
        : 'PGTT 0 (invalid): QEMU checks the type before the present bit, so even a cleared entry fails here';
    default:
      return `PGTT ${e.pgtt} (${name}) is never accepted`;
  }
}

/** The end (exclusive) of a domain-selective or global accel walk for this device. */
export function accelWalkEnd(
  iommu: IommuConfig,
  device: DeviceConfig,
  pdts: number,
): { end: number; limit: string } {
  const candidates: [number, string][] = [
    [2 ** iommu.pasidBits, `pasid-bits ${iommu.pasidBits}`],
    [2 ** device.maxPasidLog2, `the device's max_pasid_log2 ${device.maxPasidLog2}`],
    [2 ** (pdts + 7) * 64, `PDTS ${pdts}`],
  ];
  let best = candidates[0] ?? [1, ''];
  for (const c of candidates) if (c[0] < best[0]) best = c;
  return { end: best[0], limit: best[1] };
}

function gates(iommu: IommuConfig): PreviewLine[] {
  const out: PreviewLine[] = [];
  if (!iommu.scalableMode || !iommu.rootScalable) {
    out.push({
      tone: 'warn',
      text: 'Root table is not scalable-mode: vtd_pasid_cache_sync returns at once, and every PASID lookup fails (0x31).',
    });
  } else if (!iommu.dmarEnabled) {
    out.push({
      tone: 'warn',
      text: 'DMA remapping (TE) is off: vtd_pasid_cache_sync returns at once, no cache is synced.',
    });
  }
  return out;
}

function ramCheck(iommu: IommuConfig, entry: ResolvedEntry): PreviewLine[] {
  const end = entry.addr + BigInt(ENTRY_BYTES[entry.kind]);
  if (end <= iommu.guestRamBytes) return [];
  return [
    {
      tone: 'error',
      text: `This entry lies beyond guest RAM (${hex(iommu.guestRamBytes)} bytes): QEMU's DMA read of it fails.`,
    },
  ];
}

function contextVerdict(fault: number): PreviewLine {
  if (fault === 0)
    return { tone: 'ok', text: 'vtd_dev_to_context_entry succeeds (PASID-0 check included).' };
  const pasid0 = fault >= 0x50;
  return {
    tone: 'error',
    text: pasid0
      ? `The PASID-0 check fails (${describeFault(fault)}): QEMU treats this device as having no usable context entry, so none of its PASIDs can be cached.`
      : `vtd_dev_to_context_entry fails (${describeFault(fault)}): none of this device's PASIDs can be cached.`,
  };
}

export function previewEntry(
  scenario: Scenario,
  mem: MemoryImage,
  entry: ResolvedEntry,
): PreviewLine[] {
  const { iommu } = scenario;
  const { device } = entry;
  const lines: PreviewLine[] = [...ramCheck(iommu, entry)];
  switch (entry.kind) {
    case 'root': {
      const upper = device.devfn > 127;
      const half = entry.words[upper ? 1 : 0] ?? 0n;
      const rsvd = (entry.words[0] ?? 0n) & rootEntryReservedMask(iommu.awBits);
      const rsvdHi = (entry.words[1] ?? 0n) & rootEntryReservedMask(iommu.awBits);
      if ((half & 1n) === 0n) {
        lines.push({
          tone: 'error',
          text: `The ${upper ? 'upper (devfn 128–255)' : 'lower (devfn 0–127)'} half is not present: lookups of ${device.bdf} fail with 0x1.`,
        });
      } else if (rsvd !== 0n || rsvdHi !== 0n) {
        lines.push({
          tone: 'error',
          text: `Reserved bits set (${hex(rsvd | rsvdHi)}): QEMU rejects the root entry (0xa) after the present check.`,
        });
      } else {
        lines.push({ tone: 'ok', text: `Present; context table at ${hex(half & ~0xfffn)}.` });
      }
      lines.push(contextVerdict(contextLookupFault(mem.guest, iommu, device.bus, device.devfn)));
      break;
    }
    case 'context': {
      const masks = contextEntryReservedMasks(iommu.awBits);
      const set = entry.words.map((w, i) => w & (masks[i] ?? 0n));
      const ce = decodeContextEntry(entry.words);
      if (!ce.present) {
        lines.push({ tone: 'error', text: 'Not present: lookups of this device fail with 0x2.' });
      } else if (set.some((w) => w !== 0n)) {
        lines.push({
          tone: 'error',
          text: `Reserved bits set (${set
            .map((w, i) => (w ? `val[${i}] ${hex(w)}` : ''))
            .filter(Boolean)
            .join(', ')}): QEMU faults 0xb.`,
        });
      }
      const dirEntries = 2 ** (ce.pdts + 7);
      lines.push({
        tone: 'info',
        text: `PDTS ${ce.pdts}: the directory has ${dirEntries} entries, so the accel walk covers PASIDs 0–${dirEntries * 64 - 1} at most.`,
      });
      lines.push(contextVerdict(contextLookupFault(mem.guest, iommu, device.bus, device.devfn)));
      if (ce.ridPasid !== 0) {
        lines.push({
          tone: 'info',
          text: `RID_PASID is ${ce.ridPasid}, but QEMU ignores it and always uses PASID 0.`,
        });
      }
      break;
    }
    case 'dir': {
      const ref = entry.ref.kind === 'dir' ? entry.ref : undefined;
      const index = ref?.index ?? 0;
      const word = entry.words[0] ?? 0n;
      const first = index * 64;
      if ((word & 1n) === 0n) {
        lines.push({
          tone: 'warn',
          text: `Not present: the accel walk skips PASIDs ${first}–${first + 63} as one chunk; lookups of them fail with 0x51.`,
        });
      } else {
        const table = word & ~0xfffn;
        const inRam = table + 4096n <= iommu.guestRamBytes;
        lines.push({
          tone: inRam ? 'ok' : 'error',
          text: inRam
            ? `Present: PASIDs ${first}–${first + 63} are looked up in the table at ${hex(table)}.`
            : `Present, but the table at ${hex(table)} is beyond guest RAM: leaf reads fail (0x58).`,
        });
      }
      const path = devicePath(mem, iommu, device);
      if (index >= path.dirEntries) {
        lines.push({
          tone: 'warn',
          text: `Index ${index} is beyond the ${path.dirEntries} entries PDTS ${path.pdts} declares: the accel walk never reads it (a PASID-selective lookup still does).`,
        });
      }
      break;
    }
    case 'pasid': {
      const pasid = entry.ref.kind === 'pasid' ? entry.ref.pasid : 0;
      const ctxFault = contextLookupFault(mem.guest, iommu, device.bus, device.devfn);
      const look = pasidLookup(mem.guest, iommu, device.bus, device.devfn, pasid);
      const e = decodePasidEntry(entry.words);
      if (ctxFault !== 0 && !(pasid === 0 && ctxFault >= 0x50)) {
        lines.push(contextVerdict(ctxFault));
      } else if (look.fault === 0x5b) {
        lines.push({
          tone: 'error',
          text: `${leafInvalidWhy(iommu, entry.words)}: fault 0x5b, entry skipped.`,
        });
      } else if (look.fault === 0x59) {
        lines.push({
          tone: 'warn',
          text: 'Not present (0x59): the walk skips it; a cached copy would be removed (series).',
        });
      } else if (look.fault !== 0) {
        lines.push({ tone: 'error', text: `QEMU's lookup fails: ${describeFault(look.fault)}.` });
      } else {
        lines.push({
          tone: 'ok',
          text: `Valid: PGTT ${e.pgtt} (${PGTT_NAMES[e.pgtt] ?? '?'}), DID ${e.did}. Domain- and PASID-selective invalidations must name DID ${e.did} to reach it.`,
        });
        if (pasid === 0 && ctxFault === 0) {
          lines.push({
            tone: 'info',
            text: 'PASID 0 is also what the PASID-0 check of every context lookup reads: clearing it makes the whole device unusable.',
          });
        }
      }
      if (look.fault === 0) {
        if (device.backend === 'iommufd') {
          if (!iommu.fsts) {
            lines.push({
              tone: 'info',
              text: 'fsts is off: the accel path does nothing, no accel entry is made.',
            });
          } else {
            const path = devicePath(mem, iommu, device);
            const walk = accelWalkEnd(iommu, device, path.pdts);
            lines.push(
              pasid < walk.end
                ? {
                    tone: 'info',
                    text: `The accel cache of ${device.bdf} copies it on a matching invalidation (walk range 0–${walk.end - 1}, limited by ${walk.limit}).`,
                  }
                : {
                    tone: 'warn',
                    text: `Domain-selective and global walks stop at PASID ${walk.end - 1} (${walk.limit}): only a PASID-selective invalidation can reach PASID ${pasid}.`,
                  },
            );
          }
        }
        const hasAs =
          pasid === 0 ||
          (device.backend === 'emulated' && device.pasidAddressSpaces.includes(pasid));
        if (hasAs) {
          lines.push({
            tone: 'info',
            text: `The emulated cache of address space ${pasid} copies it on the next PASID-cache sync that passes the filters.`,
          });
        }
      }
      lines.push(...gates(iommu));
      break;
    }
  }
  return lines;
}

// What Linux's /sys/kernel/debug/iommu/intel/dmar_translation_struct would print for a scenario's
// guest memory (drivers/iommu/intel/debugfs.c): the same walk, the same skips, the same text.
//
// The walk reads guest memory the way the guest kernel reads its own tables (no DMA, no RAM
// limit), not the way QEMU does: a row means "Linux would print this", not "QEMU accepts this".
// Linux's quirks are kept on purpose, because a dump taken from a real guest has them too:
//   - a bus whose lower root half (or, in scalable mode, the half a devfn needs) is not present
//     ends the walk of that bus (iommu_context_addr returns NULL and ctx_tbl_walk returns);
//   - in scalable mode a device prints one row per present PASID entry, walking 2^(PDTS+7)
//     directory entries; a device with none prints nothing;
//   - in legacy mode every present context entry prints one row with PASID -1 and zero words.

import { fieldByName, getField } from '../bits/bitFields.ts';
import { PASID_ENTRY } from '../bits/structures.ts';
import type { GuestMemory } from '../memory/guestMemory.ts';
import { memoryAtStep } from '../run/memoryAtStep.ts';
import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { formatBdf, hexAddr, hexWord } from '../scenario/scenarioValues.ts';
import {
  contextEntryAddress,
  decodeContextEntry,
  pasidDirEntryCount,
} from '../tables/contextEntry.ts';
import {
  decodePasidDirEntry,
  pasidDirEntryAddress,
  pasidEntryAddress,
} from '../tables/pasidDirEntry.ts';
import { decodeRootEntry, rootEntryAddress } from '../tables/rootEntry.ts';

/** The name QEMU's single vIOMMU gets in a Linux guest. */
export const DEFAULT_IOMMU_NAME = 'dmar0';

/** Legacy-mode context entries are 128-bit, 256 per table (not modelled elsewhere: QEMU's PASID paths need scalable mode). */
const LEGACY_CONTEXT_ENTRY_BYTES = 16n;
const PASIDS_PER_TABLE = 64;
const PAGE = 0x1000n;

/** One row of the dump. */
export interface DmarTranslationRow {
  readonly bus: number;
  readonly devfn: number;
  /** "BB:DD.F" */
  readonly bdf: string;
  /** The root entry of the bus, [lo, hi]. */
  readonly rootEntry: readonly [bigint, bigint];
  /** The low 128 bits of the context entry, [val0, val1] (all Linux prints). */
  readonly contextEntry: readonly [bigint, bigint];
  /** -1 in legacy mode. */
  readonly pasid: number;
  /** val[0..2] of the PASID entry; zeros in legacy mode. */
  readonly pasidEntry: readonly [bigint, bigint, bigint];
  /** Where the structures are (not printed by Linux; for views and checks). */
  readonly contextEntryAddr: bigint;
  readonly pasidDirAddr?: bigint;
  readonly pasidTableAddr?: bigint;
}

/** A guest page that holds a VT-d structure, and what it holds. */
export interface StructurePage {
  /** Page base address (4 KiB aligned). */
  readonly addr: bigint;
  readonly what: string;
}

export interface DmarTranslationView {
  readonly iommuName: string;
  /** GSTS.TES: when false Linux prints one line and walks nothing. */
  readonly enabled: boolean;
  /** The root table's address (what Linux prints: no SMT bit). */
  readonly rootTable: bigint;
  /** RTADDR.SMT: scalable-mode tables (PASID rows) or legacy ones (PASID -1). */
  readonly scalable: boolean;
  readonly rows: readonly DmarTranslationRow[];
  /** Every page the walk found a structure in: root and context tables, directories, PASID tables. */
  readonly pages: readonly StructurePage[];
}

export interface DmarWalkOptions {
  /** Memory as step N sees it (before it runs); default: after the last step. */
  readonly step?: number;
  /** The IOMMU's name in the dump (default "dmar0", QEMU's only vIOMMU). */
  readonly iommuName?: string;
}

const PASID_PRESENT = fieldByName(PASID_ENTRY, 'present');

function readWords(mem: GuestMemory, addr: bigint, count: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push(mem.readQword(addr + BigInt(8 * i)));
  return out;
}

class PageBook {
  private readonly byAddr = new Map<bigint, string>();

  add(addr: bigint, bytes: bigint, what: string): void {
    for (let p = addr & ~(PAGE - 1n); p < addr + bytes; p += PAGE) {
      if (!this.byAddr.has(p)) this.byAddr.set(p, what);
    }
  }

  list(): StructurePage[] {
    return [...this.byAddr.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([addr, what]) => ({ addr, what }));
  }
}

/** The walk of debugfs.c over guest memory. */
export function walkDmarTranslationMemory(
  mem: GuestMemory,
  rootTable: bigint,
  scalable: boolean,
): { rows: DmarTranslationRow[]; pages: StructurePage[] } {
  const rows: DmarTranslationRow[] = [];
  const pages = new PageBook();
  pages.add(rootTable, PAGE, 'the root table');
  for (let bus = 0; bus < 256; bus++) {
    const rootWords = readWords(mem, rootEntryAddress(rootTable, bus), 2);
    const rootEntry: [bigint, bigint] = [rootWords[0] ?? 0n, rootWords[1] ?? 0n];
    const root = decodeRootEntry(rootEntry);
    const busHex = bus.toString(16).padStart(2, '0');
    for (let devfn = 0; devfn < 256; devfn++) {
      const upper = scalable && devfn >= 128;
      if (!(upper ? root.upperPresent : root.lowerPresent)) break;
      const table = upper ? root.upperContextTable : root.lowerContextTable;
      pages.add(
        table,
        PAGE,
        `the ${upper ? 'upper ' : scalable ? 'lower ' : ''}context table of bus ${busHex}`,
      );
      const ceAddr = scalable
        ? contextEntryAddress(table, devfn)
        : table + BigInt(devfn) * LEGACY_CONTEXT_ENTRY_BYTES;
      const ceWords = readWords(mem, ceAddr, 2);
      const contextEntry: [bigint, bigint] = [ceWords[0] ?? 0n, ceWords[1] ?? 0n];
      const ce = decodeContextEntry([...contextEntry, 0n, 0n]);
      if (!ce.present) continue;
      const bdf = formatBdf(bus, devfn);
      const base = { bus, devfn, bdf, rootEntry, contextEntry, contextEntryAddr: ceAddr };
      if (!scalable) {
        rows.push({ ...base, pasid: -1, pasidEntry: [0n, 0n, 0n] });
        continue;
      }
      const dir = ce.pasidDirPtr;
      const dirEntries = pasidDirEntryCount(ce.pdts);
      pages.add(dir, BigInt(dirEntries) * 8n, `the PASID directory of ${bdf}`);
      for (let index = 0; index < dirEntries; index++) {
        const first = index * PASIDS_PER_TABLE;
        const de = decodePasidDirEntry([mem.readQword(pasidDirEntryAddress(dir, first))]);
        if (!de.present) continue;
        const leaf = de.pasidTablePtr;
        pages.add(
          leaf,
          PAGE,
          `the PASID table of ${bdf} for PASIDs ${hexAddr(first)}-${hexAddr(first + PASIDS_PER_TABLE - 1)}`,
        );
        for (let pasid = first; pasid < first + PASIDS_PER_TABLE; pasid++) {
          const addr = pasidEntryAddress(leaf, pasid);
          const val0 = mem.readQword(addr);
          if (getField([val0], PASID_PRESENT) === 0n) continue;
          const [, val1 = 0n, val2 = 0n] = readWords(mem, addr, 3);
          rows.push({
            ...base,
            pasid,
            pasidEntry: [val0, val1, val2],
            pasidDirAddr: dir,
            pasidTableAddr: leaf,
          });
        }
      }
    }
  }
  return { rows, pages: pages.list() };
}

/** The dump's content for a scenario's guest memory at a step (see DmarWalkOptions). */
export function walkDmarTranslation(
  scenario: Scenario,
  options: DmarWalkOptions = {},
): DmarTranslationView {
  const caps = vtdCapInit(scenario.iommu);
  const iommuName = options.iommuName ?? DEFAULT_IOMMU_NAME;
  const base = { iommuName, rootTable: caps.rootTable, scalable: caps.rootScalable };
  if (!caps.dmarEnabled) return { ...base, enabled: false, rows: [], pages: [] };
  const mem = memoryAtStep(scenario, options.step ?? scenario.steps.length);
  return {
    ...base,
    enabled: true,
    ...walkDmarTranslationMemory(mem, caps.rootTable, base.scalable),
  };
}

/** The header line debugfs.c prints under the IOMMU line. */
export const DEBUGFS_COLUMN_HEADER =
  'B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry';

/** One row as print_tbl_walk formats it: hi:lo pairs, PASID as %-6d, val[2]:val[1]:val[0]. */
export function formatDebugfsRow(row: DmarTranslationRow): string {
  const [rootLo, rootHi] = row.rootEntry;
  const [ctxLo, ctxHi] = row.contextEntry;
  const [v0, v1, v2] = row.pasidEntry;
  return [
    row.bdf,
    `${hexWord(rootHi)}:${hexWord(rootLo)}`,
    `${hexWord(ctxHi)}:${hexWord(ctxLo)}`,
    String(row.pasid).padEnd(6),
    `${hexWord(v2)}:${hexWord(v1)}:${hexWord(v0)}`,
  ].join('\t');
}

/** The text of dmar_translation_struct for a walked view (one IOMMU). */
export function formatDmarTranslationView(view: DmarTranslationView): string {
  if (!view.enabled) return `DMA Remapping is not enabled on ${view.iommuName}\n`;
  const lines = [
    `IOMMU ${view.iommuName}: Root Table Address: ${hexAddr(view.rootTable)}`,
    DEBUGFS_COLUMN_HEADER,
    ...view.rows.map(formatDebugfsRow),
  ];
  return `${lines.join('\n')}\n\n`;
}

/** What `cat /sys/kernel/debug/iommu/intel/dmar_translation_struct` would print in the guest. */
export function formatDebugfsDump(scenario: Scenario, options: DmarWalkOptions = {}): string {
  return formatDmarTranslationView(walkDmarTranslation(scenario, options));
}

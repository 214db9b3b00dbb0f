// Import of Linux's /sys/kernel/debug/iommu/intel/dmar_translation_struct (debugfs.c; format in
// vtd-reference.md §7.3) into a scenario.
//
// The dump shows, per present PASID entry: the bus's root entry, the low 128 bits of the context
// entry, the PASID and val[0..2] of the PASID entry. It does not show directory entries or where
// the PASID tables are. So the import writes what the dump shows where the dump says it is (root
// entries in the root table, context entries in the context tables the root entries point to) as
// raw memory, and hands the rest to the scenario's authoring form: a `tables` device with the
// directory the context entry points to (address and PDTS from the context entry, context left
// as it is) and its PASID entries by raw words. The authoring resolver then allocates one PASID
// table per used 64-PASID chunk and writes the directory entries, exactly as it does for a
// hand-written file. All encoding goes through the existing codecs; nothing is re-derived here.
//
// One global PASID-cache invalidation is appended so that running the scenario fills the caches.

import { Pgtt, decodePasidEntry } from '../tables/pasidEntry.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import { SCENARIO_FORMAT, SCENARIO_VERSION } from '../scenario/scenarioSchema.ts';
import type { ScenarioFileJson } from '../scenario/scenarioToFile.ts';
import type { DeviceBackend, Scenario, Variant } from '../scenario/scenarioTypes.ts';
import { IOMMU_DEFAULTS } from '../scenario/scenarioTypes.ts';
import { hexAddr, hexWord, readBdf } from '../scenario/scenarioValues.ts';
import {
  decodeContextEntry,
  contextEntryAddress,
  pasidDirEntryCount,
} from '../tables/contextEntry.ts';
import { pasidDirEntryAddress, pasidDirIndex } from '../tables/pasidDirEntry.ts';
import { decodeRootEntry, rootEntryAddress } from '../tables/rootEntry.ts';
import type { ImportIssue } from './importTypes.ts';
import { describeLines, textLines } from './importTypes.ts';

export interface DebugfsImportOptions {
  /** Backend of every device (default "emulated"). */
  readonly backend?: DeviceBackend;
  /** QEMU's fsts property; default: read off the entries (first-stage → on, second-stage → off). */
  readonly fsts?: boolean;
  /** Which IOMMU of the dump to import (default: the first one with DMA remapping enabled). */
  readonly iommu?: string;
  /** QEMU's pasid-bits; default 20 when the dump shows PASID use, else 0. */
  readonly pasidBits?: number;
  /** max_pasid_log2 of passthrough devices; default from the context entry (PASIDE, PDTS). */
  readonly maxPasidLog2?: number;
  /** Guest RAM size; default 1 GiB, or the next power of two that holds every structure. */
  readonly guestRamBytes?: bigint;
  readonly title?: string;
  readonly variant?: Variant;
}

export interface DebugfsImportSummary {
  readonly iommuName: string;
  /** RTADDR.SMT as the rows show it: PASID rows (scalable) or PASID -1 rows (legacy). */
  readonly scalable: boolean;
  readonly devices: number;
  readonly pasidEntries: number;
  /** Each IOMMU setting read off the dump, with the reason (also written into the description). */
  readonly inferred: readonly string[];
}

export type DebugfsImportResult =
  | {
      readonly ok: true;
      /** The scenario file (authoring form: raw root/context entries in memory, PASID entries in tables). */
      readonly file: ScenarioFileJson;
      /** The same file, loaded. */
      readonly scenario: Scenario;
      readonly warnings: readonly ImportIssue[];
      readonly summary: DebugfsImportSummary;
    }
  | { readonly ok: false; readonly errors: readonly ImportIssue[] };

// ---- parsing ----------------------------------------------------------------------------------

interface DumpRow {
  readonly line: number;
  readonly bus: number;
  readonly devfn: number;
  readonly bdf: string;
  /** [lo, hi] */
  readonly root: readonly [bigint, bigint];
  /** [val0, val1] */
  readonly context: readonly [bigint, bigint];
  readonly pasid: number;
  /** [val0, val1, val2] */
  readonly entry: readonly [bigint, bigint, bigint];
}

interface DumpIommu {
  readonly name: string;
  readonly line: number;
  readonly enabled: boolean;
  readonly rootTable: bigint;
  readonly rows: DumpRow[];
}

const NOT_ENABLED_RE = /^DMA Remapping is not enabled on (\S+)$/;
const IOMMU_RE = /^IOMMU (\S+): Root Table Address: (0x[0-9a-fA-F]{1,16})$/;
const HEADER_RE = /^B\.D\.F\s+Root_entry\b/;
const WORD = '0x([0-9a-fA-F]{1,16})';
const PAIR_RE = new RegExp(`^${WORD}:${WORD}$`);
const TRIPLE_RE = new RegExp(`^${WORD}:${WORD}:${WORD}$`);
const BDF_START_RE = /^[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]\b/;
const MAX_PASID = 0xfffff;
const MAX_ERRORS = 20;
const PAGE = 0x1000n;
const GIB = IOMMU_DEFAULTS.guestRamBytes;
/** Linux's PDTS for a device with 2^k PASIDs is k - 13 (at least 2); see linuxPdtsFor. */
const PDTS_TO_PASID_LOG2 = 13;

const EXPECTED_LINE =
  'expected "IOMMU <name>: Root Table Address: 0x…", the column header "B.D.F  Root_entry …", a row "BB:DD.F  root hi:lo  context hi:lo  PASID  val2:val1:val0" or "DMA Remapping is not enabled on <name>"';

function shorten(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

type RowResult = { ok: true; row: DumpRow } | { ok: false; message: string };

function parseRow(line: string, lineNo: number): RowResult {
  const cols = line.split(/\s+/);
  if (cols.length !== 5) {
    return {
      ok: false,
      message: `expected 5 columns (B.D.F, root entry, context entry, PASID, PASID entry) separated by tabs, got ${cols.length}: ${shorten(line)}`,
    };
  }
  const [bdfText = '', rootText = '', ctxText = '', pasidText = '', entryText = ''] = cols;
  const bdf = readBdf(bdfText);
  if (!bdf.ok) return { ok: false, message: `column 1 (B.D.F): ${bdf.message}` };
  const root = PAIR_RE.exec(rootText);
  if (!root) {
    return {
      ok: false,
      message: `column 2 (root entry): expected hi:lo as two 64-bit hex words "0x…:0x…", got ${shorten(rootText)}`,
    };
  }
  const ctx = PAIR_RE.exec(ctxText);
  if (!ctx) {
    return {
      ok: false,
      message: `column 3 (context entry): expected hi:lo as two 64-bit hex words "0x…:0x…", got ${shorten(ctxText)}`,
    };
  }
  if (!/^-?\d+$/.test(pasidText)) {
    return {
      ok: false,
      message: `column 4 (PASID): expected a decimal PASID (or -1 in legacy mode), got ${shorten(pasidText)}`,
    };
  }
  const pasid = Number(pasidText);
  if (pasid < -1 || pasid > MAX_PASID) {
    return {
      ok: false,
      message: `column 4 (PASID): ${pasidText} is out of range (-1 for legacy rows, else 0..${MAX_PASID})`,
    };
  }
  const entry = TRIPLE_RE.exec(entryText);
  if (!entry) {
    return {
      ok: false,
      message: `column 5 (PASID entry): expected val[2]:val[1]:val[0] as three 64-bit hex words "0x…:0x…:0x…", got ${shorten(entryText)}`,
    };
  }
  const big = (m: RegExpExecArray, i: number): bigint => BigInt(`0x${m[i] ?? '0'}`);
  return {
    ok: true,
    row: {
      line: lineNo,
      bus: bdf.value.bus,
      devfn: bdf.value.devfn,
      bdf: bdf.value.bdf,
      root: [big(root, 2), big(root, 1)],
      context: [big(ctx, 2), big(ctx, 1)],
      pasid,
      entry: [big(entry, 3), big(entry, 2), big(entry, 1)],
    },
  };
}

function parseDump(text: string): { iommus: DumpIommu[]; errors: ImportIssue[] } {
  const iommus: DumpIommu[] = [];
  const errors: ImportIssue[] = [];
  let current: DumpIommu | undefined;
  const fail = (line: number, message: string): void => {
    errors.push({ line, message });
  };
  textLines(text).forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const off = NOT_ENABLED_RE.exec(line);
    const on = off ? null : IOMMU_RE.exec(line);
    if (off || on) {
      const name = (off ?? on)?.[1] ?? '';
      const twin = iommus.find((x) => x.name === name);
      if (twin) fail(lineNo, `IOMMU ${name} appears twice (also line ${twin.line})`);
      current = {
        name,
        line: lineNo,
        enabled: on !== null,
        rootTable: on ? BigInt(on[2] ?? '0') : 0n,
        rows: [],
      };
      iommus.push(current);
      if (off) current = undefined;
      return;
    }
    if (HEADER_RE.test(line)) {
      if (!current) {
        fail(lineNo, 'a column header before any "IOMMU <name>: Root Table Address: 0x…" line');
      }
      return;
    }
    if (!BDF_START_RE.test(line)) {
      fail(lineNo, `not a line of dmar_translation_struct: ${shorten(line)}; ${EXPECTED_LINE}`);
      return;
    }
    const r = parseRow(line, lineNo);
    if (!r.ok) {
      fail(lineNo, r.message);
      return;
    }
    if (!current) {
      fail(lineNo, 'a table row before any "IOMMU <name>: Root Table Address: 0x…" line');
      return;
    }
    current.rows.push(r.row);
  });
  return { iommus, errors };
}

// ---- building ---------------------------------------------------------------------------------

interface DeviceGroup {
  readonly first: DumpRow;
  readonly rows: DumpRow[];
}

interface SharedDirectory {
  readonly bdf: string;
  readonly pdts: number;
  readonly line: number;
  readonly entries: Map<number, DumpRow>;
}

function sameWords(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

function pair(words: readonly bigint[]): string {
  return `${hexWord(words[1] ?? 0n)}:${hexWord(words[0] ?? 0n)}`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function chooseIommu(
  iommus: readonly DumpIommu[],
  wanted: string | undefined,
): { iommu: DumpIommu } | { error: ImportIssue } {
  const names = iommus.map((x) => `${x.name} (line ${x.line})`).join(', ');
  if (wanted !== undefined) {
    const hit = iommus.find((x) => x.name === wanted);
    if (!hit) {
      return {
        error: {
          message: iommus.length
            ? `no IOMMU named "${wanted}" in this dump; it has ${names}`
            : `no IOMMU named "${wanted}": this dump names no IOMMU at all`,
        },
      };
    }
    if (!hit.enabled) {
      return {
        error: {
          line: hit.line,
          message: `DMA remapping is not enabled on ${hit.name}: the dump has no tables of it to import`,
        },
      };
    }
    return { iommu: hit };
  }
  const enabled = iommus.find((x) => x.enabled);
  if (enabled) return { iommu: enabled };
  if (iommus.length) {
    return {
      error: {
        message: `DMA remapping is not enabled on any IOMMU of this dump (${names}): there are no tables to import`,
      },
    };
  }
  return {
    error: {
      message:
        'no IOMMU in this text: expected a line "IOMMU dmar0: Root Table Address: 0x…" (is this the guest\'s /sys/kernel/debug/iommu/intel/dmar_translation_struct?)',
    },
  };
}

/** Linux's PASID-entry types, for the fsts inference. */
function pgttOf(row: DumpRow): number {
  return decodePasidEntry(row.entry).pgtt;
}

export function importDebugfsDump(
  text: string,
  options: DebugfsImportOptions = {},
): DebugfsImportResult {
  try {
    return importDump(text, options);
  } catch (e) {
    // A bug of ours, not the user's: still no throw across the API.
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ message: `internal error while importing the dump: ${msg}` }] };
  }
}

function importDump(text: string, options: DebugfsImportOptions): DebugfsImportResult {
  const parsed = parseDump(text);
  if (parsed.errors.length) return { ok: false, errors: capped(parsed.errors) };
  const chosen = chooseIommu(parsed.iommus, options.iommu);
  if ('error' in chosen) return { ok: false, errors: [chosen.error] };
  const iommu = chosen.iommu;
  const warnings: ImportIssue[] = [];
  const errors: ImportIssue[] = [];
  const fail = (line: number | undefined, message: string): void => {
    errors.push(line !== undefined ? { line, message } : { message });
  };
  const warn = (line: number | undefined, message: string): void => {
    warnings.push(line !== undefined ? { line, message } : { message });
  };

  for (const other of parsed.iommus) {
    if (other === iommu || !other.enabled) continue;
    const n = new Set(other.rows.map((r) => r.bdf)).size;
    warn(
      other.line,
      `IOMMU ${other.name} (${n} device${n === 1 ? '' : 's'}) not imported: a scenario models one vIOMMU; import it on its own with the option iommu "${other.name}"`,
    );
  }

  // ---- rows: one mode, one root entry per bus, one context entry per device ----------------
  const rows = iommu.rows;
  const scalable = rows.length === 0 || rows[0]?.pasid !== -1;
  const devices = new Map<string, DeviceGroup>();
  const busRoots = new Map<number, DumpRow>();
  const seenPasids = new Map<string, DumpRow>();
  for (const row of rows) {
    if ((row.pasid === -1) === scalable) {
      fail(
        row.line,
        scalable
          ? `a legacy-mode row (PASID -1) among scalable-mode rows (line ${rows[0]?.line ?? 0} has a PASID)`
          : `a scalable-mode row (PASID ${row.pasid}) among legacy-mode rows (line ${rows[0]?.line ?? 0} has PASID -1)`,
      );
      continue;
    }
    const busRow = busRoots.get(row.bus);
    if (busRow && !sameWords(busRow.root, row.root)) {
      fail(
        row.line,
        `the root entry of bus ${hex2(row.bus)} is ${pair(row.root)} here but ${pair(busRow.root)} at line ${busRow.line}`,
      );
      continue;
    }
    if (!busRow) busRoots.set(row.bus, row);
    const group = devices.get(row.bdf);
    if (group && !sameWords(group.first.context, row.context)) {
      fail(
        row.line,
        `the context entry of ${row.bdf} is ${pair(row.context)} here but ${pair(group.first.context)} at line ${group.first.line}`,
      );
      continue;
    }
    const key = `${row.bdf}/${row.pasid}`;
    const twin = seenPasids.get(key);
    if (twin) {
      fail(
        row.line,
        scalable
          ? `PASID ${row.pasid} of ${row.bdf} appears twice (also line ${twin.line})`
          : `${row.bdf} appears twice (also line ${twin.line})`,
      );
      continue;
    }
    seenPasids.set(key, row);
    if (group) group.rows.push(row);
    else devices.set(row.bdf, { first: row, rows: [row] });
  }
  if (errors.length) return { ok: false, errors: capped(errors) };
  if (!rows.length) {
    warn(
      iommu.line,
      `IOMMU ${iommu.name} has no rows: no device has a present context entry with a present PASID entry, so the scenario has no devices`,
    );
  }

  // ---- where each structure goes --------------------------------------------------------------
  const rootTable = iommu.rootTable;
  if (rootTable % PAGE !== 0n) {
    return {
      ok: false,
      errors: [
        {
          line: iommu.line,
          message: `the root table address ${hexAddr(rootTable)} is not 4 KiB aligned`,
        },
      ],
    };
  }
  /** qword address -> what the dump put there, for conflicts. */
  const placed = new Map<bigint, { value: bigint; line: number; what: string }>();
  const memory: { addr: bigint; qwords: bigint[]; line: number }[] = [];
  const place = (addr: bigint, qwords: readonly bigint[], line: number, what: string): void => {
    for (let i = 0; i < qwords.length; i++) {
      const at = addr + BigInt(8 * i);
      const value = qwords[i] ?? 0n;
      const there = placed.get(at);
      if (there && there.value !== value) {
        fail(
          line,
          `${what} would be at ${hexAddr(addr)}, where ${there.what} (line ${there.line}) already is: the dump contradicts itself`,
        );
        return;
      }
    }
    qwords.forEach((value, i) => placed.set(addr + BigInt(8 * i), { value, line, what }));
    memory.push({ addr, qwords: [...qwords], line });
  };
  let highest = rootTable + PAGE;
  const reach = (end: bigint): void => {
    if (end > highest) highest = end;
  };

  for (const [bus, row] of [...busRoots.entries()].sort(([a], [b]) => a - b)) {
    place(
      rootEntryAddress(rootTable, bus),
      row.root,
      row.line,
      `the root entry of bus ${hex2(bus)}`,
    );
  }

  interface PlannedDevice {
    readonly group: DeviceGroup;
    readonly dirAddr: bigint;
    readonly pdts: number;
    readonly paside: boolean;
  }
  const planned: PlannedDevice[] = [];
  const directories = new Map<bigint, SharedDirectory>();
  for (const group of devices.values()) {
    const { first } = group;
    const root = decodeRootEntry(first.root);
    const upper = scalable && first.devfn >= 128;
    const halfPresent = upper ? root.upperPresent : root.lowerPresent;
    const table = upper ? root.upperContextTable : root.lowerContextTable;
    if (!halfPresent) {
      warn(
        first.line,
        `the ${upper ? 'upper' : 'lower'} half of bus ${hex2(first.bus)}'s root entry is not present, yet the dump lists ${first.bdf} (Linux would not): imported as shown`,
      );
    }
    const ceAddr = scalable
      ? contextEntryAddress(table, first.devfn)
      : table + BigInt(first.devfn) * 16n;
    place(ceAddr, first.context, first.line, `the context entry of ${first.bdf}`);
    reach(table + PAGE);
    const ce = decodeContextEntry([...first.context, 0n, 0n]);
    if (!ce.present) {
      warn(
        first.line,
        `the context entry of ${first.bdf} is not present, yet the dump lists it (Linux would not): imported as shown`,
      );
    }
    if (!scalable) {
      if (first.entry.some((w) => w !== 0n)) {
        warn(
          first.line,
          'a legacy-mode row with non-zero PASID-entry words: ignored (Linux prints zeros)',
        );
      }
      planned.push({ group, dirAddr: 0n, pdts: 0, paside: false });
      continue;
    }
    const dirEntries = pasidDirEntryCount(ce.pdts);
    reach(ce.pasidDirPtr + BigInt(dirEntries) * 8n);
    for (const row of group.rows) {
      if (pasidDirIndex(row.pasid) >= dirEntries) {
        fail(
          row.line,
          `PASID ${row.pasid} lies beyond the PASID directory of ${row.bdf} (${dirEntries} entries, PDTS ${ce.pdts}, so PASIDs 0..${dirEntries * 64 - 1}); Linux would not print it`,
        );
      }
      if (!decodePasidEntry(row.entry).present) {
        warn(
          row.line,
          `PASID ${row.pasid} of ${row.bdf}: the entry's present bit is clear, yet the dump lists it (Linux prints present entries only): imported as shown`,
        );
      }
    }
    // Devices that share a directory (DMA aliases) must agree on what is in it.
    const shared = directories.get(ce.pasidDirPtr);
    if (!shared) {
      directories.set(ce.pasidDirPtr, {
        bdf: first.bdf,
        pdts: ce.pdts,
        line: first.line,
        entries: new Map(group.rows.map((r) => [r.pasid, r])),
      });
    } else {
      if (shared.pdts !== ce.pdts) {
        warn(
          first.line,
          `${first.bdf} shares the PASID directory at ${hexAddr(ce.pasidDirPtr)} with ${shared.bdf} (line ${shared.line}) but with PDTS ${ce.pdts} instead of ${shared.pdts}: its size is taken from ${shared.bdf}`,
        );
      }
      for (const row of group.rows) {
        const other = shared.entries.get(row.pasid);
        if (other && !sameWords(other.entry, row.entry)) {
          fail(
            row.line,
            `PASID ${row.pasid} of ${row.bdf} differs from line ${other.line} (${other.bdf}), but both devices use the PASID directory at ${hexAddr(ce.pasidDirPtr)}, so they read the same entry`,
          );
        } else if (!other) {
          shared.entries.set(row.pasid, row);
        }
      }
    }
    if (ce.pasidDirPtr === 0n) {
      warn(
        first.line,
        `the context entry of ${first.bdf} points to a PASID directory at address 0`,
      );
    }
    planned.push({ group, dirAddr: ce.pasidDirPtr, pdts: ce.pdts, paside: ce.paside });
  }
  // A directory entry the resolver will write must not land on a root or context entry.
  for (const p of planned) {
    if (!scalable) continue;
    const chunks = new Set(p.group.rows.map((r) => pasidDirIndex(r.pasid)));
    for (const index of chunks) {
      const at = pasidDirEntryAddress(p.dirAddr, index * 64);
      const there = placed.get(at);
      if (there) {
        fail(
          p.group.first.line,
          `the PASID directory entry ${index} of ${p.group.first.bdf} would be at ${hexAddr(at)}, where ${there.what} (line ${there.line}) is: the dump contradicts itself`,
        );
      }
    }
  }
  if (errors.length) return { ok: false, errors: capped(errors) };

  // ---- the IOMMU settings the dump implies ---------------------------------------------------
  const inferred: string[] = [];
  const backend: DeviceBackend = options.backend ?? 'emulated';
  const pgtts = new Set(rows.map(pgttOf));
  const linesWith = (pgtt: number): number[] =>
    rows.filter((r) => pgttOf(r) === pgtt).map((r) => r.line);
  let fsts: boolean;
  if (!scalable) {
    if (options.fsts) {
      return {
        ok: false,
        errors: [
          {
            line: rows[0]?.line ?? iommu.line,
            message:
              'fsts needs scalable mode, but this dump shows a legacy-mode root table (PASID -1 rows)',
          },
        ],
      };
    }
    fsts = false;
    inferred.push('legacy mode (rows with PASID -1): scalable-mode off, fsts off, pasid-bits 0');
  } else {
    const hasFs = pgtts.has(Pgtt.FirstStage);
    const hasSs = pgtts.has(Pgtt.SecondStage);
    if (hasFs && hasSs) {
      warn(
        undefined,
        `the dump has both first-stage (${describeLines(linesWith(Pgtt.FirstStage))}) and second-stage entries (${describeLines(linesWith(Pgtt.SecondStage))}); a QEMU vIOMMU offers only one of the two`,
      );
    }
    const guess = hasFs && !hasSs ? true : hasSs && !hasFs ? false : undefined;
    fsts = options.fsts ?? guess ?? backend === 'iommufd';
    if (options.fsts !== undefined) {
      inferred.push(`fsts ${fsts ? 'on' : 'off'} (as asked)`);
      if (fsts && hasSs) {
        warn(
          undefined,
          `fsts is on: QEMU rejects the second-stage entries (PGTT 2) of ${describeLines(linesWith(Pgtt.SecondStage))} (with fsts it accepts first-stage and pass-through only)`,
        );
      }
      if (!fsts && hasFs) {
        warn(
          undefined,
          `fsts is off: QEMU rejects the first-stage entries (PGTT 1) of ${describeLines(linesWith(Pgtt.FirstStage))} (without fsts it accepts second-stage and pass-through only)`,
        );
      }
    } else if (guess !== undefined) {
      inferred.push(
        guess
          ? 'fsts on (the guest uses first-stage entries, PGTT 1, which Linux only writes when the vIOMMU offers first-stage translation)'
          : 'fsts off (the guest uses second-stage entries, PGTT 2, which Linux only writes when the vIOMMU offers second-stage translation only)',
      );
    } else {
      inferred.push(
        `fsts ${fsts ? 'on' : 'off'} (the entries do not tell: ${fsts ? 'the accel path of iommufd devices needs it' : "QEMU's default"})`,
      );
    }
  }
  if (backend === 'vfio-legacy' && fsts) {
    return {
      ok: false,
      errors: [
        {
          message:
            'backend vfio-legacy with fsts on: QEMU needs the iommufd backend when fsts=on; use backend iommufd or fsts off',
        },
      ],
    };
  }
  const aws = new Set(rows.map((r) => decodePasidEntry(r.entry).aw));
  const awBits: 39 | 48 =
    !fsts && scalable && aws.size > 0 && [...aws].every((a) => a <= 1) ? 39 : 48;
  if (scalable) {
    inferred.push(
      fsts
        ? 'aw-bits 48 (fsts needs it)'
        : awBits === 39
          ? 'aw-bits 39 (every entry has AW 1: 3-level tables)'
          : 'aw-bits 48',
    );
  }
  const maxPasid = Math.max(0, ...rows.map((r) => r.pasid));
  const anyPaside = planned.some((p) => p.paside);
  const pasidBits = !scalable ? 0 : (options.pasidBits ?? (maxPasid > 0 || anyPaside ? 20 : 0));
  if (scalable) {
    inferred.push(
      options.pasidBits !== undefined
        ? `pasid-bits ${pasidBits} (as asked)`
        : pasidBits
          ? `pasid-bits 20 (the dump shows PASID use: ${maxPasid > 0 ? `PASIDs up to ${maxPasid}` : 'PASIDE set in a context entry'})`
          : 'pasid-bits 0 (no PASID beyond 0 and no context entry with PASIDE: a vIOMMU without PASID support)',
    );
  }
  if (options.pasidBits && !scalable)
    warn(undefined, 'pasid-bits ignored: legacy mode has no PASIDs');

  // Guest RAM must hold every structure the dump places.
  let guestRamBytes = options.guestRamBytes ?? GIB;
  if (options.guestRamBytes === undefined) {
    while (guestRamBytes < highest + 64n * PAGE) guestRamBytes *= 2n;
    if (guestRamBytes !== GIB) {
      inferred.push(
        `guest RAM ${hexAddr(guestRamBytes)} (the structures reach ${hexAddr(highest)})`,
      );
    }
  } else if (highest > guestRamBytes) {
    warn(
      undefined,
      `the structures reach ${hexAddr(highest)}, beyond guest RAM ${hexAddr(guestRamBytes)}: QEMU's reads of them fail`,
    );
  }

  // ---- the file -------------------------------------------------------------------------------
  const deviceLines = new Map<string, number>();
  const deviceJson = planned.map(({ group, pdts, paside }) => {
    const { first } = group;
    deviceLines.set(first.bdf, first.line);
    const spaces = [...new Set(group.rows.map((r) => r.pasid).filter((p) => p > 0))].sort(
      (a, b) => a - b,
    );
    let maxPasidLog2 = 0;
    if (backend !== 'emulated') {
      const groupMax = Math.max(0, ...group.rows.map((r) => r.pasid));
      maxPasidLog2 =
        options.maxPasidLog2 ??
        (scalable && (paside || groupMax > 0) ? Math.min(20, pdts + PDTS_TO_PASID_LOG2) : 0);
    }
    return {
      bdf: first.bdf,
      backend,
      ...(backend !== 'emulated' ? { maxPasidLog2 } : {}),
      ...(backend === 'emulated' && spaces.length ? { pasidAddressSpaces: spaces } : {}),
    };
  });
  if (backend !== 'emulated' && options.maxPasidLog2 === undefined && scalable) {
    inferred.push(
      'max_pasid_log2 of each passthrough device from its context entry: 0 without PASIDE, else PDTS + 13 (the inverse of the directory size Linux allocates)',
    );
  }
  const pasidEntries = scalable ? rows.length : 0;
  const what = scalable
    ? `${devices.size} device${devices.size === 1 ? '' : 's'}, ${pasidEntries} present PASID entr${pasidEntries === 1 ? 'y' : 'ies'}`
    : `${devices.size} device${devices.size === 1 ? '' : 's'} in legacy mode`;
  const description = [
    `Imported from a Linux guest's /sys/kernel/debug/iommu/intel/dmar_translation_struct (IOMMU ${iommu.name}, root table ${hexAddr(rootTable)}, ${what}).`,
    'Root and context entries are at the addresses the dump shows (context entries: the low 128 bits, the rest zero).',
    scalable
      ? 'The dump does not show PASID-directory entries or where the PASID tables are: PASIDscope allocated one PASID table per used 64-PASID chunk and made the directory entries of the directory each context entry points to present and pointing to them; PASID entries have val[0..2] from the dump and val[3..7] zero.'
      : 'In legacy mode QEMU never uses its PASID caches: this scenario shows the tables only.',
    `Settings read off the dump: ${inferred.join('; ')}.`,
    scalable
      ? 'The one step, a global PASID-cache invalidation, is not in the dump: it makes QEMU fill its caches from these tables.'
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  const file: ScenarioFileJson = {
    format: SCENARIO_FORMAT,
    version: SCENARIO_VERSION,
    title: options.title ?? `Imported dmar_translation_struct of ${iommu.name} (${what})`,
    description,
    variant: options.variant ?? 'seed',
    iommu: {
      scalableMode: scalable,
      fsts,
      pasidBits,
      awBits,
      queueWidth: scalable ? 256 : 128,
      rootTableAddr: hexAddr(rootTable),
      rootScalable: scalable,
      dmarEnabled: true,
      guestRamBytes: hexAddr(guestRamBytes),
    },
    devices: deviceJson,
    memory: memory.map((b) => ({ addr: hexAddr(b.addr), qwords: b.qwords.map(hexWord) })),
    ...(scalable
      ? {
          tables: {
            devices: planned.map(({ group, dirAddr, pdts }) => ({
              bdf: group.first.bdf,
              directory: { addr: hexAddr(dirAddr), pdts },
              context: null,
              pasids: group.rows.map((r) => ({
                pasid: r.pasid,
                words: r.entry.map(hexWord),
              })),
            })),
          },
          steps: [
            {
              op: 'invalidate',
              granularity: 'global',
              note: 'added by the import (not in the dump): a global PASID-cache invalidation, so that QEMU fills its caches from the imported tables',
            },
          ],
        }
      : { steps: [] }),
  };
  if (!scalable) {
    warn(
      undefined,
      'legacy mode: QEMU uses its PASID caches only with a scalable-mode root table, so no invalidation step was added',
    );
  }

  // ---- load it with the real parser (and map its paths back to lines) -------------------------
  const lineOfPath = (path: string): number | undefined => {
    const t = /^\$\.tables\.devices\[(\d+)\](?:\.pasids\[(\d+)\])?/.exec(path);
    if (t) {
      const p = planned[Number(t[1])];
      return t[2] !== undefined ? p?.group.rows[Number(t[2])]?.line : p?.group.first.line;
    }
    const m = /^\$\.memory\[(\d+)\]/.exec(path);
    if (m) return memory[Number(m[1])]?.line;
    const d = /^\$\.devices\[(\d+)\]/.exec(path);
    if (d) return deviceLines.get(planned[Number(d[1])]?.group.first.bdf ?? '');
    return undefined;
  };
  const loaded = parseScenario(file);
  if (!loaded.ok) {
    return {
      ok: false,
      errors: capped(
        loaded.errors.map((e) => {
          const line = lineOfPath(e.path);
          return line !== undefined
            ? { line, message: e.message }
            : { message: `${e.path}: ${e.message}` };
        }),
      ),
    };
  }
  for (const w of loaded.warnings) {
    const path = /^(\$[^:\s]*):\s*/.exec(w);
    const line = path ? lineOfPath(path[1] ?? '') : undefined;
    warn(line, path && line !== undefined ? w.slice(path[0].length) : w);
  }
  return {
    ok: true,
    file,
    scenario: loaded.scenario,
    warnings,
    summary: {
      iommuName: iommu.name,
      scalable,
      devices: devices.size,
      pasidEntries,
      inferred,
    },
  };
}

function capped(errors: readonly ImportIssue[]): ImportIssue[] {
  if (errors.length <= MAX_ERRORS) return [...errors];
  return [
    ...errors.slice(0, MAX_ERRORS),
    { message: `... and ${errors.length - MAX_ERRORS} more problems` },
  ];
}

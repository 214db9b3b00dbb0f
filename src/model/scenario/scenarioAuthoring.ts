// The authoring form (see scenarioSchema.ts): VT-d structures written by field, resolved into the
// raw form the model runs. `tables` become initial-memory blocks; by-field steps become raw `write`
// steps. Both merge onto guest memory as it is at that point and allocate what is missing (context
// tables, PASID directories, PASID tables) page-aligned in free guest RAM.
//
// All encoding goes through the field tables of ../bits (encodeFields / getField); only the table
// index arithmetic lives here.

import type { StructureLayout } from '../bits/bitFields.ts';
import { encodeFields, fieldByName, fieldDisplayValue } from '../bits/bitFields.ts';
import {
  CONTEXT_ENTRY,
  PASID_DIR_ENTRY,
  PASID_ENTRY,
  PGTT_NAMES,
  ROOT_ENTRY,
} from '../bits/structures.ts';
import { DescType, descriptorTypeCode } from '../invalidation/descriptorType.ts';
import { GuestMemory } from '../memory/guestMemory.ts';
import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import { contextEntryAddress, pasidDirEntryCount } from '../tables/contextEntry.ts';
import { pasidDirEntryAddress, pasidDirIndex, pasidEntryAddress } from '../tables/pasidDirEntry.ts';
import { rootEntryAddress } from '../tables/rootEntry.ts';
import type { FieldValues, FileTables } from './scenarioSchema.ts';
import type { DeviceConfig, IommuConfig, MemoryBlock, ScenarioStep } from './scenarioTypes.ts';
import { ADDRESS_SPACE_END, formatBdf, hexAddr } from './scenarioValues.ts';
import { PageAllocator } from './pageAllocator.ts';
import type { LinuxAction, LinuxFlavour } from '../linux/linuxActions.ts';
import { linuxActionSteps } from '../linux/linuxActions.ts';

const PAGE = 0x1000n;

export interface AuthoringIssue {
  readonly path: string;
  readonly message: string;
}

/** A structure write by field, as a step of the file. */
export type AuthoredStep =
  | {
      readonly op: 'writeRootEntry';
      readonly bus: number;
      readonly fields: FieldValues;
      readonly clear: boolean;
      readonly note?: string;
    }
  | {
      readonly op: 'writeContextEntry' | 'writePasidDirEntry' | 'writePasidEntry';
      readonly bus: number;
      readonly devfn: number;
      /** directory index (writePasidDirEntry) or PASID (writePasidEntry); 0 otherwise */
      readonly key: number;
      readonly fields: FieldValues;
      readonly clear: boolean;
      readonly note?: string;
    };

/** A Linux driver action (../linux/linuxActions.ts), as a step of the file. */
export interface LinuxStep {
  readonly op: 'linux';
  readonly action: LinuxAction;
  readonly flavour: LinuxFlavour;
  readonly cachingMode: boolean;
  readonly statusAddr?: bigint;
  readonly note?: string;
}

export type PendingStep =
  | { readonly kind: 'raw'; readonly step: ScenarioStep }
  | { readonly kind: 'authored'; readonly step: AuthoredStep }
  | { readonly kind: 'linux'; readonly step: LinuxStep };

export interface AuthoringInput {
  readonly iommu: IommuConfig;
  readonly devices: readonly DeviceConfig[];
  readonly memory: readonly MemoryBlock[];
  readonly tables?: FileTables;
  readonly steps: readonly PendingStep[];
  /** JSON paths of the steps, for messages */
  readonly stepPaths: readonly string[];
}

export type AuthoringResult =
  | {
      readonly ok: true;
      readonly memory: readonly MemoryBlock[];
      readonly steps: readonly ScenarioStep[];
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly AuthoringIssue[] };

/** Thrown inside the resolver only; turned into an issue with the path at fault. */
class AuthoringError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** PDTS Linux picks for a device (intel_pasid_alloc_table): a 4 KiB directory unless it has more PASIDs. */
export function linuxPdtsFor(maxPasidLog2: number): number {
  return Math.min(7, Math.max(2, maxPasidLog2 - 13));
}

function dirBytes(pdts: number): bigint {
  return BigInt(pasidDirEntryCount(pdts)) * 8n;
}

interface Directory {
  readonly addr: bigint;
  readonly pdts: number;
}

function words(mem: GuestMemory, addr: bigint, count: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push(mem.readQword(addr + BigInt(8 * i)));
  return out;
}

function field(layout: StructureLayout, ws: readonly bigint[], name: string): bigint {
  return fieldDisplayValue(ws, fieldByName(layout, name));
}

function describeFields(layout: StructureLayout, fields: FieldValues): string {
  const parts = Object.entries(fields).map(([name, v]) => {
    const f = fieldByName(layout, name);
    if (f.kind === 'address') return `${name}=${hexAddr(v)}`;
    if (f.kind === 'enum' && layout === PASID_ENTRY) return `${name}=${PGTT_NAMES[Number(v)] ?? v}`;
    return `${name}=${v}`;
  });
  return parts.length ? parts.join(', ') : 'no fields';
}

const hexPasid = (p: number): string => hexAddr(p);

/** Every address a file names explicitly, so the allocator never hands it out. */
function reserveExplicit(alloc: PageAllocator, layout: StructureLayout, fields: FieldValues): void {
  for (const [name, v] of Object.entries(fields)) {
    if (fieldByName(layout, name).kind === 'address' && v !== 0n) alloc.reserve(v, PAGE);
  }
}

export function resolveAuthoring(input: AuthoringInput): AuthoringResult {
  // A file in the raw form needs no guest memory here (large captured files stay cheap to load).
  if (!input.tables && input.steps.every((p) => p.kind === 'raw')) {
    return {
      ok: true,
      memory: input.memory,
      steps: input.steps.flatMap((p) => (p.kind === 'raw' ? [p.step] : [])),
      warnings: [],
    };
  }
  try {
    return new Resolver(input).run();
  } catch (e) {
    if (e instanceof AuthoringError)
      return { ok: false, errors: [{ path: e.path, message: e.message }] };
    throw e;
  }
}

class Resolver {
  private readonly mem: GuestMemory;
  private readonly rawMem: GuestMemory;
  private readonly alloc: PageAllocator;
  private readonly rootTable: bigint;
  /** Directories the authoring form placed, per device (used while a context entry has none). */
  private readonly deviceDirs = new Map<string, Directory>();
  /** PDTS each known directory was sized for, by address. */
  private readonly dirSizes = new Map<bigint, number>();
  private readonly warnings: string[] = [];
  private readonly initialWrites = new Map<bigint, { value: bigint; path: string }>();
  /** Where writes go: initial memory while `tables` load, write steps afterwards. */
  private sink:
    ((addr: bigint, qwords: readonly bigint[], note: string, path: string) => void) | undefined;

  private readonly input: AuthoringInput;
  private readonly steps: ScenarioStep[] = [];
  /** The status address of the last wait descriptor, reused by Linux actions that give none. */
  private statusAddr: bigint | undefined;

  constructor(input: AuthoringInput) {
    this.input = input;
    this.mem = GuestMemory.fromBlocks(input.iommu.guestRamBytes, input.memory);
    this.rawMem = this.mem.clone();
    this.rootTable = vtdCapInit(input.iommu).rootTable;
    this.alloc = new PageAllocator(input.iommu.guestRamBytes, this.rootTable + PAGE);
  }

  run(): AuthoringResult {
    this.reserveKnownPages();
    this.loadTables();
    const steps = this.steps;
    this.sink = (addr, qwords, note) => {
      steps.push({ op: 'write', addr, qwords, note });
    };
    this.input.steps.forEach((pending, i) => {
      const path = this.input.stepPaths[i] ?? `$.steps[${i}]`;
      if (pending.kind === 'raw') {
        if (pending.step.op === 'write')
          this.mem.writeQwords(pending.step.addr, pending.step.qwords);
        this.noteStatusAddr(pending.step);
        steps.push(pending.step);
      } else if (pending.kind === 'linux') {
        this.applyLinux(pending.step, path);
      } else {
        this.applyStep(pending.step, path);
      }
    });
    return {
      ok: true,
      memory: [...this.input.memory, ...this.initialBlocks()],
      steps,
      warnings: this.warnings,
    };
  }

  // ---- allocation -------------------------------------------------------------------------

  private reserveKnownPages(): void {
    const a = this.alloc;
    a.reserve(this.rootTable, PAGE);
    for (const b of this.input.memory) a.reserve(b.addr, BigInt(b.qwords.length * 8));
    for (const p of this.input.steps) {
      if (p.kind === 'raw') {
        const s = p.step;
        if (s.op === 'write') a.reserve(s.addr, BigInt(s.qwords.length * 8));
        // A wait descriptor's status write lands in guest memory: keep structures off that page.
        if (s.op === 'invalidate' && descriptorTypeCode(s.desc[0] ?? 0n) === DescType.Wait) {
          a.reserve(s.desc[1] ?? 0n, 4n);
        }
      } else if (p.kind === 'linux') {
        const s = p.step;
        if (s.statusAddr !== undefined) a.reserve(s.statusAddr, 4n);
        if (s.action.kind === 'setupPasid' && s.action.pageTable !== 0n)
          a.reserve(s.action.pageTable, PAGE);
      } else {
        const s = p.step;
        const layout =
          s.op === 'writeRootEntry'
            ? ROOT_ENTRY
            : s.op === 'writeContextEntry'
              ? CONTEXT_ENTRY
              : s.op === 'writePasidDirEntry'
                ? PASID_DIR_ENTRY
                : PASID_ENTRY;
        reserveExplicit(a, layout, s.fields);
      }
    }
    const t = this.input.tables;
    for (const d of t?.devices ?? []) {
      const pdts = d.directory?.pdts ?? this.defaultPdts(d.bdf.bdf);
      if (d.directory?.addr !== undefined) a.reserve(d.directory.addr, dirBytes(pdts));
      if (d.context) reserveExplicit(a, CONTEXT_ENTRY, d.context);
      for (const e of d.dirEntries ?? []) reserveExplicit(a, PASID_DIR_ENTRY, e.fields);
      for (const e of d.pasids ?? []) reserveExplicit(a, PASID_ENTRY, e.fields);
    }
    for (const r of t?.rootEntries ?? []) reserveExplicit(a, ROOT_ENTRY, r.fields);
  }

  private allocate(bytes: bigint, what: string, path: string): bigint {
    const at = this.alloc.allocate(bytes);
    if (at === undefined) {
      throw new AuthoringError(
        path,
        `no free guest RAM for ${what} (${bytes / 1024n} KiB) below guestRamBytes ${hexAddr(this.input.iommu.guestRamBytes)}`,
      );
    }
    return at;
  }

  private defaultPdts(bdf: string): number {
    const dev = this.input.devices.find((d) => d.bdf === bdf);
    return linuxPdtsFor(dev?.maxPasidLog2 ?? 0);
  }

  // ---- writes -----------------------------------------------------------------------------

  private write(addr: bigint, qwords: readonly bigint[], note: string, path: string): void {
    this.mem.writeQwords(addr, qwords);
    if (this.sink) {
      this.sink(addr, qwords, note, path);
      return;
    }
    qwords.forEach((value, i) => this.initialWrites.set(addr + BigInt(8 * i), { value, path }));
  }

  /** Writes the words of `next` that differ from `current` (one contiguous run; at least one word). */
  private writeChanged(
    addr: bigint,
    current: readonly bigint[],
    next: readonly bigint[],
    note: string,
    path: string,
  ): void {
    let first = next.findIndex((w, i) => w !== current[i]);
    let last = first;
    for (let i = next.length - 1; i >= 0 && first >= 0; i--) {
      if (next[i] !== current[i]) {
        last = i;
        break;
      }
    }
    if (first < 0) first = last = 0;
    this.write(addr + BigInt(8 * first), next.slice(first, last + 1), note, path);
  }

  /**
   * The initial memory the tables produced, as blocks: one block per run of consecutive written
   * qwords, with zeros at either end of a run left out (memory reads zero there anyway).
   */
  private initialBlocks(): MemoryBlock[] {
    const addrs = [...this.initialWrites.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const runs: { addr: bigint; qwords: bigint[] }[] = [];
    let current: { addr: bigint; qwords: bigint[] } | undefined;
    for (const addr of addrs) {
      const w = this.initialWrites.get(addr);
      if (!w) continue;
      const under = this.rawMem.readQword(addr);
      if (under !== 0n && under !== w.value) {
        this.warnings.push(
          `${w.path}: overwrites ${hexAddr(under)} at ${hexAddr(addr)} from "memory" with ${hexAddr(w.value)}`,
        );
      }
      if (current && current.addr + BigInt(8 * current.qwords.length) === addr)
        current.qwords.push(w.value);
      else {
        current = { addr, qwords: [w.value] };
        runs.push(current);
      }
    }
    // A zero can only be dropped where "memory" holds zero too.
    const droppable = (addr: bigint, v: bigint | undefined): boolean =>
      v === 0n && this.rawMem.readQword(addr) === 0n;
    const blocks: MemoryBlock[] = [];
    for (const run of runs) {
      let first = 0;
      let last = run.qwords.length - 1;
      while (first <= last && droppable(run.addr + BigInt(8 * first), run.qwords[first])) first++;
      while (last >= first && droppable(run.addr + BigInt(8 * last), run.qwords[last])) last--;
      if (first <= last)
        blocks.push({
          addr: run.addr + BigInt(8 * first),
          qwords: run.qwords.slice(first, last + 1),
        });
    }
    return blocks;
  }

  // ---- locating structures ----------------------------------------------------------------

  /** The context table for (bus, devfn): from the root entry, or a new one (root half written). */
  private contextTable(bus: number, devfn: number, why: string, path: string): bigint {
    const upper = devfn >= 128;
    const rootAddr = rootEntryAddress(this.rootTable, bus);
    const root = words(this.mem, rootAddr, 2);
    const ptrName = upper ? 'upperContextTable' : 'lowerContextTable';
    const existing = field(ROOT_ENTRY, root, ptrName);
    if (existing !== 0n) return existing;
    const table = this.allocate(PAGE, 'a context table', path);
    const next = encodeFields(
      ROOT_ENTRY,
      { [upper ? 'upperPresent' : 'lowerPresent']: 1n, [ptrName]: table },
      root,
    );
    this.writeChanged(
      rootAddr,
      root,
      next,
      `root entry of bus ${bus.toString(16).padStart(2, '0')}, ${upper ? 'upper' : 'lower'} half -> new context table at ${hexAddr(table)} (${why})`,
      path,
    );
    return table;
  }

  /** The context entry's address, or undefined when its context table does not exist yet. */
  private existingContextEntryAddr(bus: number, devfn: number): bigint | undefined {
    const root = words(this.mem, rootEntryAddress(this.rootTable, bus), 2);
    const table = field(ROOT_ENTRY, root, devfn >= 128 ? 'upperContextTable' : 'lowerContextTable');
    return table === 0n ? undefined : contextEntryAddress(table, devfn);
  }

  /**
   * The device's PASID directory: the one its context entry points to, else the one the
   * authoring form placed for it, else a new one sized as Linux would.
   */
  private directory(bus: number, devfn: number, path: string): Directory {
    const ceAddr = this.existingContextEntryAddr(bus, devfn);
    if (ceAddr !== undefined) {
      const ce = words(this.mem, ceAddr, 4);
      const addr = field(CONTEXT_ENTRY, ce, 'pasidDirPtr');
      if (addr !== 0n) {
        return { addr, pdts: this.dirSizes.get(addr) ?? Number(field(CONTEXT_ENTRY, ce, 'pdts')) };
      }
    }
    const bdf = formatBdf(bus, devfn);
    const known = this.deviceDirs.get(bdf);
    if (known) return known;
    return this.placeDirectory(bdf, undefined, this.defaultPdts(bdf), path);
  }

  private placeDirectory(
    bdf: string,
    addr: bigint | undefined,
    pdts: number,
    path: string,
  ): Directory {
    const at = addr ?? this.allocate(dirBytes(pdts), `the PASID directory of ${bdf}`, path);
    const dir = { addr: at, pdts };
    this.deviceDirs.set(bdf, dir);
    if (!this.dirSizes.has(at)) this.dirSizes.set(at, pdts);
    return dir;
  }

  private checkDirIndex(dir: Directory, index: number, bdf: string, path: string): void {
    const entries = pasidDirEntryCount(dir.pdts);
    if (index >= entries) {
      throw new AuthoringError(
        path,
        `PASIDs ${hexPasid(index * 64)}-${hexPasid(index * 64 + 63)} (directory entry ${index}) lie beyond the PASID directory of ${bdf} at ${hexAddr(dir.addr)}, which has ${entries} entries (PDTS ${dir.pdts}); give it a bigger "directory": { "pdts": n } in tables`,
      );
    }
    // Directories are only 4 KiB aligned but up to 128 KiB long: one placed near the top of the
    // address space would have this entry written at a wrapped address (the root table at 0x1000).
    if (dir.addr + BigInt(index + 1) * 8n > ADDRESS_SPACE_END) {
      throw new AuthoringError(
        path,
        `directory entry ${index} of ${bdf} would lie at 2^64 or above: the PASID directory at ${hexAddr(dir.addr)} runs past the end of the 64-bit address space (addresses never wrap to 0)`,
      );
    }
  }

  /** The PASID table holding `pasid`: from its directory entry, or a new one (entry written present). */
  private pasidTable(bus: number, devfn: number, pasid: number, path: string): bigint {
    const bdf = formatBdf(bus, devfn);
    const dir = this.directory(bus, devfn, path);
    const index = pasidDirIndex(pasid);
    this.checkDirIndex(dir, index, bdf, path);
    const deAddr = pasidDirEntryAddress(dir.addr, pasid);
    const de = words(this.mem, deAddr, 1);
    const existing = field(PASID_DIR_ENTRY, de, 'pasidTablePtr');
    if (existing !== 0n) return existing;
    const table = this.allocate(PAGE, `a PASID table of ${bdf}`, path);
    const next = encodeFields(PASID_DIR_ENTRY, { present: 1n, pasidTablePtr: table }, de);
    this.writeChanged(
      deAddr,
      de,
      next,
      `PASID directory entry ${index} of ${bdf} -> new PASID table at ${hexAddr(table)} (PASIDs ${hexPasid(index * 64)}-${hexPasid(index * 64 + 63)})`,
      path,
    );
    return table;
  }

  // ---- tables -----------------------------------------------------------------------------

  private loadTables(): void {
    const t = this.input.tables;
    if (!t) return;
    const seen = new Map<string, number>();
    (t.devices ?? []).forEach((d, j) => {
      const base = `$.tables.devices[${j}]`;
      const bdf = d.bdf.bdf;
      const twin = seen.get(bdf);
      if (twin !== undefined) {
        throw new AuthoringError(
          `${base}.bdf`,
          `duplicate device ${bdf} (also $.tables.devices[${twin}])`,
        );
      }
      seen.set(bdf, j);
      const { bus, devfn } = d.bdf;
      const pdts = d.directory?.pdts ?? d.context?.pdts ?? this.defaultPdts(bdf);
      const dirAddr = d.directory?.addr ?? d.context?.pasidDirPtr;
      if (dirAddr !== undefined && dirAddr % PAGE !== 0n) {
        throw new AuthoringError(
          `${base}.directory.addr`,
          `a PASID directory must be 4 KiB aligned, got ${hexAddr(dirAddr)}`,
        );
      }
      const dir = this.placeDirectory(bdf, dirAddr, Number(pdts), `${base}.directory`);
      if (d.context !== null) {
        const path = `${base}.context`;
        const ceAddr = contextEntryAddress(
          this.contextTable(bus, devfn, `context entry of ${bdf}`, path),
          devfn,
        );
        const next = encodeFields(CONTEXT_ENTRY, {
          present: 1n,
          pdts: BigInt(dir.pdts),
          pasidDirPtr: dir.addr,
          ...(d.context ?? {}),
        });
        this.write(ceAddr, next, `context entry of ${bdf}`, path);
      }
      const listedDirs = new Map<number, number>();
      (d.dirEntries ?? []).forEach((e, k) => {
        const path = `${base}.dirEntries[${k}]`;
        const twinDir = listedDirs.get(e.index);
        if (twinDir !== undefined) {
          throw new AuthoringError(
            `${path}.index`,
            `directory entry ${e.index} is listed twice (also ${base}.dirEntries[${twinDir}])`,
          );
        }
        listedDirs.set(e.index, k);
        this.checkDirIndex(dir, e.index, bdf, `${path}.index`);
        const chunkUsed = (d.pasids ?? []).some(
          (p) => pasidDirIndex(p.first) <= e.index && e.index <= pasidDirIndex(p.last),
        );
        const present = e.fields.present ?? 1n;
        let ptr = e.fields.pasidTablePtr;
        if (ptr === undefined && (present === 1n || chunkUsed)) {
          ptr = this.allocate(PAGE, `a PASID table of ${bdf}`, path);
        }
        const next = encodeFields(PASID_DIR_ENTRY, {
          present: 1n,
          ...(ptr !== undefined ? { pasidTablePtr: ptr } : {}),
          ...e.fields,
        });
        this.write(
          dir.addr + BigInt(e.index) * 8n,
          next,
          `PASID directory entry ${e.index} of ${bdf}`,
          path,
        );
      });
      const listedPasids = new Map<number, number>();
      (d.pasids ?? []).forEach((e, k) => {
        const path = `${base}.pasids[${k}]`;
        for (let pasid = e.first; pasid <= e.last; pasid++) {
          const twinPasid = listedPasids.get(pasid);
          if (twinPasid !== undefined) {
            throw new AuthoringError(
              path,
              `PASID ${hexPasid(pasid)} of ${bdf} is listed twice (also ${base}.pasids[${twinPasid}])`,
            );
          }
          listedPasids.set(pasid, k);
          const table = this.pasidTable(bus, devfn, pasid, path);
          const next = encodeFields(PASID_ENTRY, e.fields, e.words ?? undefined);
          this.write(
            pasidEntryAddress(table, pasid),
            next,
            `PASID entry ${hexPasid(pasid)} of ${bdf}`,
            path,
          );
        }
      });
    });
    (t.rootEntries ?? []).forEach((r, k) => {
      const path = `$.tables.rootEntries[${k}]`;
      const addr = rootEntryAddress(this.rootTable, r.bus);
      const current = words(this.mem, addr, 2);
      this.write(
        addr,
        encodeFields(ROOT_ENTRY, r.fields, current),
        `root entry of bus ${r.bus}`,
        path,
      );
    });
  }

  // ---- Linux driver actions ---------------------------------------------------------------

  private noteStatusAddr(step: ScenarioStep): void {
    if (step.op !== 'invalidate') return;
    const v0 = step.desc[0] ?? 0n;
    if (descriptorTypeCode(v0) === DescType.Wait && (v0 & 0x20n) !== 0n)
      this.statusAddr = (step.desc[1] ?? 0n) & ~3n;
  }

  private applyLinux(s: LinuxStep, path: string): void {
    const statusAddr =
      s.statusAddr ??
      this.statusAddr ??
      this.allocate(PAGE, "the wait descriptors' status word", path);
    const r = linuxActionSteps(
      {
        rootTable: this.rootTable,
        awBits: this.input.iommu.awBits,
        scalableMode: this.input.iommu.scalableMode,
        devices: this.input.devices,
        readQword: (addr) => this.mem.readQword(addr),
        allocate: (bytes) => this.alloc.allocate(bytes),
      },
      s.action,
      { flavour: s.flavour, cachingMode: s.cachingMode, statusAddr },
    );
    if (!r.ok) throw new AuthoringError(path, r.message);
    r.steps.forEach((step, i) => {
      if (step.op === 'write') this.mem.writeQwords(step.addr, step.qwords);
      this.noteStatusAddr(step);
      this.steps.push(
        i === 0 && s.note !== undefined ? { ...step, note: `${s.note}: ${step.note ?? ''}` } : step,
      );
    });
  }

  // ---- by-field steps ---------------------------------------------------------------------

  private applyStep(s: AuthoredStep, path: string): void {
    switch (s.op) {
      case 'writeRootEntry': {
        const addr = rootEntryAddress(this.rootTable, s.bus);
        const current = words(this.mem, addr, 2);
        const next = encodeFields(ROOT_ENTRY, s.fields, s.clear ? undefined : current);
        const bus = s.bus.toString(16).padStart(2, '0');
        this.writeChanged(
          addr,
          current,
          next,
          s.note ?? `root entry of bus ${bus}: ${this.what(ROOT_ENTRY, s)}`,
          path,
        );
        return;
      }
      case 'writeContextEntry': {
        const bdf = formatBdf(s.bus, s.devfn);
        const table = this.contextTable(s.bus, s.devfn, `writeContextEntry ${bdf}`, path);
        const addr = contextEntryAddress(table, s.devfn);
        const current = words(this.mem, addr, 4);
        const base = s.clear ? [0n, 0n, 0n, 0n] : current;
        const extra: Record<string, bigint> = {};
        if (
          field(CONTEXT_ENTRY, base, 'pasidDirPtr') === 0n &&
          s.fields.pasidDirPtr === undefined
        ) {
          const dir = this.directory(s.bus, s.devfn, path);
          extra.pasidDirPtr = dir.addr;
          if (base.every((w) => w === 0n) && s.fields.pdts === undefined)
            extra.pdts = BigInt(dir.pdts);
        }
        const next = encodeFields(CONTEXT_ENTRY, { ...extra, ...s.fields }, base);
        this.writeChanged(
          addr,
          current,
          next,
          s.note ?? `context entry of ${bdf}: ${this.what(CONTEXT_ENTRY, s)}`,
          path,
        );
        return;
      }
      case 'writePasidDirEntry': {
        const bdf = formatBdf(s.bus, s.devfn);
        const dir = this.directory(s.bus, s.devfn, path);
        this.checkDirIndex(dir, s.key, bdf, `${path}.index`);
        const addr = dir.addr + BigInt(s.key) * 8n;
        const current = words(this.mem, addr, 1);
        const base = s.clear ? [0n] : current;
        let next = encodeFields(PASID_DIR_ENTRY, s.fields, base);
        if (
          field(PASID_DIR_ENTRY, next, 'present') === 1n &&
          field(PASID_DIR_ENTRY, next, 'pasidTablePtr') === 0n
        ) {
          const table = this.allocate(PAGE, `a PASID table of ${bdf}`, path);
          next = encodeFields(PASID_DIR_ENTRY, { pasidTablePtr: table }, next);
        }
        this.writeChanged(
          addr,
          current,
          next,
          s.note ?? `PASID directory entry ${s.key} of ${bdf}: ${this.what(PASID_DIR_ENTRY, s)}`,
          path,
        );
        return;
      }
      case 'writePasidEntry': {
        const bdf = formatBdf(s.bus, s.devfn);
        const table = this.pasidTable(s.bus, s.devfn, s.key, path);
        const addr = pasidEntryAddress(table, s.key);
        const current = words(this.mem, addr, 8);
        const next = encodeFields(PASID_ENTRY, s.fields, s.clear ? undefined : current);
        this.writeChanged(
          addr,
          current,
          next,
          s.note ?? `PASID entry ${hexPasid(s.key)} of ${bdf}: ${this.what(PASID_ENTRY, s)}`,
          path,
        );
        return;
      }
    }
  }

  private what(layout: StructureLayout, s: AuthoredStep): string {
    const fields = describeFields(layout, s.fields);
    return s.clear ? `cleared, then ${fields}` : fields;
  }
}

// The readable summary `pasidscope run FILE` prints: the configuration, one line per step (with
// its cache changes below it), then the caches per device, accel lists head first.

import type {
  CacheChange,
  DeviceConfig,
  RunResult,
  Scenario,
  ScenarioStep,
  StepResult,
} from '../model/index.ts';
import type { GuestMemory } from '../model/index.ts';
import {
  DescType,
  PGTT_NAMES,
  contextEntryAddress,
  decodeContextEntry,
  decodePasidDirEntry,
  decodeRootEntry,
  memoryAtStep,
  pasidDirEntryAddress,
  pasidEntryAddress,
  rootEntryAddress,
  vtdCapInit,
  decodeContextCacheDescriptor,
  decodePasidEntry,
  decodeWaitDescriptor,
  descriptorTypeCode,
  describeHostOp,
  describeHostState,
  formatBdf,
  hexAddr,
  hexWord,
} from '../model/index.ts';

export interface SummaryOptions {
  /** Most change lines shown per step, and most cache entries per list (the rest are counted). */
  readonly limit?: number;
  /** Preset name or file, for the heading. */
  readonly source?: string;
}

const PC_TYPES: Readonly<Record<number, string>> = {
  0: 'domain-selective',
  1: 'PASID-selective',
  3: 'global',
};

function onOff(v: boolean): string {
  return v ? 'on' : 'off';
}

function bytes(n: bigint): string {
  const units: [bigint, string][] = [
    [1n << 30n, 'GiB'],
    [1n << 20n, 'MiB'],
    [1n << 10n, 'KiB'],
  ];
  for (const [unit, name] of units) if (n >= unit && n % unit === 0n) return `${n / unit} ${name}`;
  return `${hexAddr(n)} bytes`;
}

function deviceLabel(d: DeviceConfig): string {
  const parts = [d.bdf, d.backend];
  if (d.backend !== 'emulated') parts.push(`max_pasid_log2 ${d.maxPasidLog2}`);
  if (d.pasidAddressSpaces.length)
    parts.push(`PASID address spaces 0, ${d.pasidAddressSpaces.join(', ')}`);
  return `${parts.join(' ')}${d.name ? ` "${d.name}"` : ''}`;
}

/** P, PGTT and DID of a cached 512-bit entry: what a reader checks first. */
export function describeEntry(words: readonly bigint[]): string {
  const e = decodePasidEntry(words);
  const pgtt = PGTT_NAMES[e.pgtt] ?? String(e.pgtt);
  return `P=${e.present ? 1 : 0} PGTT=${e.pgtt} (${pgtt}) DID=${e.did}`;
}

function stepDetails(step: ScenarioStep | undefined, r: StepResult): string {
  if (r.status === 'rejected') return `IQE set: ${r.error ?? 'descriptor rejected'}`;
  if (r.status === 'blocked') return 'FSTS.IQE is set: descriptor dropped, not processed';
  if (step?.op === 'write') {
    return `${hexAddr(step.addr)} <- ${step.qwords.length} qword${step.qwords.length === 1 ? '' : 's'}`;
  }
  if (step?.op === 'clearIqe') return 'FSTS.IQE cleared';
  const parts: string[] = [];
  if (r.pcInfo) {
    const type = PC_TYPES[r.pcInfo.type] ?? `type ${r.pcInfo.type}`;
    parts.push(`pasid-cache ${type}, did ${r.pcInfo.did}, pasid ${r.pcInfo.pasid}`);
  } else if (step?.op === 'invalidate') {
    parts.push(describeDescriptor(step.desc, r.descType));
  }
  const w = r.accelWalk;
  if (w && (w.dirReads || w.entryReads || w.listCompares)) {
    parts.push(
      `accel walk ${w.dirReads} dir / ${w.entryReads} leaf reads, ${w.listCompares} list compares`,
    );
  }
  return parts.join('; ');
}

const CC_GRANULARITY: Readonly<Record<number, string>> = {
  1: 'global',
  2: 'domain-selective',
  3: 'device-selective',
};

/** A processed descriptor that is not a PASID-cache one, decoded for the reader. */
function describeDescriptor(desc: readonly bigint[], descType: string | undefined): string {
  const code = descriptorTypeCode(desc[0] ?? 0n);
  if (code === DescType.ContextCache) {
    const cc = decodeContextCacheDescriptor(desc);
    const g = CC_GRANULARITY[cc.granularity] ?? `granularity ${cc.granularity}`;
    if (cc.granularity === 3) {
      return `context-cache ${g} ${formatBdf(cc.sourceId >> 8, cc.sourceId & 0xff)}${cc.functionMask ? ` fm ${cc.functionMask}` : ''}`;
    }
    return `context-cache ${g}${cc.granularity === 2 ? ` did ${cc.did}` : ''}`;
  }
  if (code === DescType.Wait) {
    const wd = decodeWaitDescriptor(desc);
    const what = [
      wd.statusWrite
        ? `status write 0x${wd.statusData.toString(16)} -> ${hexAddr(wd.statusAddr)}`
        : '',
      wd.interruptFlag ? 'interrupt' : '',
      wd.fence ? 'fence' : '',
    ].filter(Boolean);
    return `wait${what.length ? ` (${what.join(', ')})` : ''}`;
  }
  if (code === DescType.PasidIotlb) {
    const v0 = desc[0] ?? 0n;
    const v1 = desc[1] ?? 0n;
    const did = (v0 >> 16n) & 0xffffn;
    const pasid = (v0 >> 32n) & 0xfffffn;
    if (((v0 >> 4n) & 3n) === 2n) return `PASID-IOTLB all of did ${did} pasid ${pasid}`;
    return `PASID-IOTLB page did ${did} pasid ${pasid} addr ${hexAddr(v1 & ~0xfffn)} am ${v1 & 0x3fn}${v1 & 0x40n ? ' ih' : ''}`;
  }
  return descType ?? `descriptor type ${code}`;
}

const CHANGE_MARK: Readonly<Record<CacheChange['kind'], string>> = {
  created: '+',
  updated: '~',
  removed: '-',
};

function hostLines(r: StepResult, limit: number): string[] {
  const ops = r.hostOps ?? [];
  const lines = ops.slice(0, limit).map((op) => `      host ${describeHostOp(op)}`);
  const hidden = ops.length - Math.min(limit, ops.length) + (r.hostOpsOmitted ?? 0);
  if (hidden > 0)
    lines.push(`      ... ${hidden} more host call${hidden === 1 ? '' : 's'} (--json lists all)`);
  return lines;
}

function changeLines(r: StepResult, limit: number): string[] {
  const lines = r.changes
    .slice(0, limit)
    .map(
      (c) =>
        `      ${CHANGE_MARK[c.kind]} ${c.cache.padEnd(8)} ${c.bdf} pasid ${c.pasid} ${c.kind}`,
    );
  const hidden = r.changes.length - Math.min(limit, r.changes.length) + (r.changesOmitted ?? 0);
  if (hidden > 0)
    lines.push(`      ... ${hidden} more change${hidden === 1 ? '' : 's'} (--json lists all)`);
  return lines;
}

/**
 * The 512-bit PASID entry the guest's tables point to for (bus, devfn, pasid) in `mem`, following
 * the pointers whether or not each level is present: what a cached copy should be compared with.
 */
function entryInMemory(
  mem: GuestMemory,
  rootTable: bigint,
  d: DeviceConfig,
  pasid: number,
): bigint[] {
  const read = (addr: bigint, n: number): bigint[] =>
    Array.from({ length: n }, (_, i) => mem.readQword(addr + BigInt(8 * i)));
  const root = decodeRootEntry(read(rootEntryAddress(rootTable, d.bus), 2));
  const table = d.devfn >= 128 ? root.upperContextTable : root.lowerContextTable;
  const ctx = decodeContextEntry(read(contextEntryAddress(table, d.devfn), 4));
  const dir = decodePasidDirEntry(read(pasidDirEntryAddress(ctx.pasidDirPtr, pasid), 1));
  return read(pasidEntryAddress(dir.pasidTablePtr, pasid), 8);
}

function staleMark(cached: readonly bigint[], now: readonly bigint[]): string {
  return cached.every((w, i) => w === now[i]) ? '' : '  [stale: guest memory now differs]';
}

export function formatRunSummary(
  scenario: Scenario,
  result: RunResult,
  options: SummaryOptions = {},
): string {
  const limit = options.limit ?? 12;
  const io = scenario.iommu;
  const out: string[] = [];
  const title = scenario.title ?? 'Untitled scenario';
  out.push(options.source ? `${title}  [${options.source}]` : title);
  out.push(
    [
      `variant ${result.variant}`,
      `scalable-mode ${onOff(io.scalableMode)}`,
      `fsts ${onOff(io.fsts)}`,
      `pasid-bits ${io.pasidBits}`,
      `aw-bits ${io.awBits}`,
      `${io.queueWidth}-bit queue`,
      `root table ${hexAddr(io.rootTableAddr)} (SMT ${onOff(io.rootScalable)})`,
      `TE ${onOff(io.dmarEnabled)}`,
      ...(io.svm ? ['svm on'] : []),
      `RAM ${bytes(io.guestRamBytes)}`,
    ].join(', '),
  );
  out.push('devices:');
  for (const d of scenario.devices) out.push(`  ${deviceLabel(d)}`);
  if (!scenario.devices.length) out.push('  (none)');
  out.push('');

  const width = String(Math.max(0, result.steps.length - 1)).length;
  out.push(`steps (${result.steps.length}):`);
  for (const r of result.steps) {
    const step = scenario.steps[r.index];
    const details = stepDetails(step, r);
    const noteText = step?.note ? `  -- ${step.note}` : '';
    out.push(
      `  ${String(r.index).padStart(width)}  ${r.op.padEnd(10)}  ${r.status.padEnd(9)}  ${details}${noteText}`.trimEnd(),
    );
    out.push(...changeLines(r, limit));
    out.push(...hostLines(r, limit));
  }
  out.push('');

  const final = result.final;
  const mem = memoryAtStep(scenario, scenario.steps.length);
  const rootTable = vtdCapInit(io).rootTable;
  out.push(`final caches (FSTS.IQE ${final.iqe ? 'set' : 'clear'}):`);
  for (const d of scenario.devices) {
    out.push(`  ${deviceLabel(d)}`);
    const list = final.accel[d.bdf];
    if (list) {
      out.push(`    accel list, head first: ${list.length} entr${list.length === 1 ? 'y' : 'ies'}`);
      for (const e of list.slice(0, limit)) {
        const stale = staleMark(e.entry, entryInMemory(mem, rootTable, d, e.pasid));
        out.push(
          `      pasid ${String(e.pasid).padEnd(7)} ${describeEntry(e.entry)}  ${e.entry.slice(0, 3).map(hexWord).join(' ')}${stale}`,
        );
      }
      if (list.length > limit) out.push(`      ... ${list.length - limit} more (--json lists all)`);
    }
    const host = final.host?.[d.bdf];
    if (host) out.push(`    host iommufd: ${describeHostState(host)}`);
    const spaces = final.emulated[d.bdf] ?? {};
    const keys = Object.keys(spaces).sort((a, b) => Number(a) - Number(b));
    for (const k of keys) {
      const e = spaces[k];
      if (!e) continue;
      const state = e.valid
        ? `valid    ${describeEntry(e.entry)}  ${e.entry.slice(0, 3).map(hexWord).join(' ')}${staleMark(e.entry, entryInMemory(mem, rootTable, d, Number(k)))}`
        : 'invalid';
      out.push(`    emulated pasid ${k.padEnd(7)} ${state}`);
    }
  }
  if (!scenario.devices.length) out.push('  (no devices)');
  return `${out.join('\n')}\n`;
}

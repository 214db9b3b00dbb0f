// The commands that bring outside evidence in and compare variants:
//   import-debugfs DUMP   a guest's dmar_translation_struct -> a scenario file
//   import-trace LOG      a QEMU `-trace vtd_*` log -> the base scenario plus its descriptors
//   compare FILE          the scenario under seed, series and series-fixed, where they part
//   dump FILE             what the guest's dmar_translation_struct would show
// main.ts parses the arguments and hands over here; errors are InputErrors (exit 2, one line).

import type {
  CacheEntryDifference,
  CacheEntryState,
  DeviceBackend,
  ImportIssue,
  Scenario,
  ScenarioStep,
  StepDifference,
  StepOutcome,
  VariantComparison,
} from '../model/index.ts';
import {
  DescType,
  VARIANTS,
  compareVariants,
  comparisonToJson,
  decodeContextCacheDescriptor,
  decodePasidCacheInvDescriptor,
  describeComparison,
  describeLines,
  descriptorTypeCode,
  descriptorTypeName,
  formatBdf,
  formatDebugfsDump,
  formatImportIssue,
  hexWord,
  importDebugfsDump,
  importKernelQiTrace,
  isKernelQiTrace,
  appendQemuTraceToFile,
  parseScenarioText,
  UNTRACED_WAIT_NOTE,
} from '../model/index.ts';
import { InputError } from './inputError.ts';
import type { CliIo } from './main.ts';
import { describeEntry } from './summary.ts';

export const EXTRA_COMMANDS = ['import-debugfs', 'import-trace', 'compare', 'dump'] as const;
export type ExtraCommand = (typeof EXTRA_COMMANDS)[number];

export function isExtraCommand(command: string | undefined): command is ExtraCommand {
  return EXTRA_COMMANDS.some((c) => c === command);
}

/** Lines for main.ts's usage text. */
export const EXTRA_USAGE = `  pasidscope import-debugfs DUMP [--backend B] [--fsts|--no-fsts] [--iommu NAME]
                                                 a guest's dmar_translation_struct -> a scenario file
  pasidscope import-trace LOG --base FILE [--iommu NAME]
                                                 a QEMU -trace vtd_inv_desc log, or the guest kernel's
                                                 intel_iommu:qi_submit trace -> FILE + its descriptors
  pasidscope import-trace LOG --preset NAME      the same, appended to a bundled preset
  pasidscope compare FILE | --preset NAME [--json]
                                                 the outcome under seed, series, series-fixed: what differs
  pasidscope dump FILE | --preset NAME [--step N]
                                                 what the guest's dmar_translation_struct would show`;

export const EXTRA_OPTIONS_USAGE = `  --backend B       import-debugfs: iommufd | vfio-legacy | emulated, for every device (default emulated)
  --fsts/--no-fsts  import-debugfs: QEMU's fsts property (default: read off the PASID entry types)
  --iommu NAME      import-debugfs: which IOMMU of the dump (default: the first with remapping on);
                    import-trace: which unit of a qi_submit trace (default: the first it names)
  --base FILE       import-trace: the scenario the descriptors are appended to
  --step N          dump: the tables as step N sees them, before it runs (default: after the last step)`;

/** The options of these commands, as main.ts's parseArgs returns them. */
export interface ExtraOptionValues {
  readonly json?: boolean;
  readonly preset?: string;
  readonly variant?: string;
  readonly limit?: string;
  readonly backend?: string;
  readonly fsts?: boolean;
  readonly 'no-fsts'?: boolean;
  readonly iommu?: string;
  readonly base?: string;
  readonly step?: string;
}

/** Options only some commands take, and which. */
const OPTION_OWNERS: readonly (readonly [keyof ExtraOptionValues, readonly ExtraCommand[]])[] = [
  ['backend', ['import-debugfs']],
  ['fsts', ['import-debugfs']],
  ['no-fsts', ['import-debugfs']],
  ['iommu', ['import-debugfs', 'import-trace']],
  ['base', ['import-trace']],
  ['step', ['dump']],
];

/** Refuses an option given to a command that would silently ignore it. */
export function checkOptionOwners(command: string | undefined, values: ExtraOptionValues): void {
  for (const [option, owners] of OPTION_OWNERS) {
    if (values[option] === undefined || owners.some((c) => c === command)) continue;
    throw new InputError(
      `--${option} only applies to ${owners.join(', ')} (see pasidscope --help)`,
    );
  }
}

export interface ExtraCommandContext {
  readonly io: CliIo;
  /** The first positional argument after the command. */
  readonly file: string | undefined;
  readonly values: ExtraOptionValues;
  /** Loads a scenario from FILE or --preset NAME (InputError on bad input). */
  readonly loadScenario: (
    file: string | undefined,
    preset: string | undefined,
    command: string,
  ) => Promise<{ scenario: Scenario; warnings: readonly string[]; label: string }>;
  /** The text of FILE or --preset NAME, unparsed (InputError when it cannot be read). */
  readonly readScenarioText: (
    file: string | undefined,
    preset: string | undefined,
    command: string,
  ) => Promise<{ text: string; label: string }>;
  /** Reads a text file (InputError "cannot read FILE: why"). */
  readonly readText: (file: string) => Promise<string>;
}

const BACKENDS: readonly DeviceBackend[] = ['iommufd', 'vfio-legacy', 'emulated'];

function readBackend(v: string | undefined): DeviceBackend | undefined {
  if (v === undefined) return undefined;
  const hit = BACKENDS.find((b) => b === v);
  if (!hit) throw new InputError(`--backend must be ${BACKENDS.join(', ')}; got "${v}"`);
  return hit;
}

function readStep(v: string | undefined, steps: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n > steps) {
    throw new InputError(
      `--step must be a step index 0..${steps} (${steps} = after the last step); got "${v}"`,
    );
  }
  return n;
}

function readLimit(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`--limit must be a positive integer; got "${v}"`);
  return n;
}

/** "DUMP: line 7: why (and 2 more: line 9, line 12)" — one line for the first problem. */
function firstIssue(label: string, issues: readonly ImportIssue[]): string {
  const [first, ...rest] = issues;
  const more = rest.length
    ? ` (and ${rest.length} more${
        rest.some((r) => r.line !== undefined)
          ? `: ${rest
              .filter((r) => r.line !== undefined)
              .slice(0, 3)
              .map((r) => `line ${r.line ?? 0}`)
              .join(', ')}`
          : ''
      })`
    : '';
  return `${label}: ${first ? formatImportIssue(first) : 'nothing to import'}${more}`;
}

function warnAll(io: CliIo, label: string, warnings: readonly (ImportIssue | string)[]): void {
  for (const w of warnings) {
    io.stderr(
      `pasidscope: warning: ${label}: ${typeof w === 'string' ? w : formatImportIssue(w)}\n`,
    );
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export async function runExtraCommand(
  command: ExtraCommand,
  ctx: ExtraCommandContext,
): Promise<number> {
  switch (command) {
    case 'import-debugfs':
      return importDebugfs(ctx);
    case 'import-trace':
      return importTrace(ctx);
    case 'compare':
      return compare(ctx);
    case 'dump':
      return dump(ctx);
  }
}

async function importDebugfs(ctx: ExtraCommandContext): Promise<number> {
  const { io, file, values } = ctx;
  if (file === undefined) {
    throw new InputError(
      "import-debugfs needs a DUMP file: the guest's /sys/kernel/debug/iommu/intel/dmar_translation_struct",
    );
  }
  if (values.preset !== undefined)
    throw new InputError('import-debugfs reads a DUMP file, not a --preset');
  if (values.fsts && values['no-fsts']) throw new InputError('give --fsts or --no-fsts, not both');
  const backend = readBackend(values.backend);
  const fsts = values.fsts ? true : values['no-fsts'] ? false : undefined;
  const text = await ctx.readText(file);
  const result = importDebugfsDump(text, {
    ...(backend ? { backend } : {}),
    ...(fsts !== undefined ? { fsts } : {}),
    ...(values.iommu !== undefined ? { iommu: values.iommu } : {}),
    ...(values.variant !== undefined ? { variant: readVariantOption(values.variant) } : {}),
  });
  if (!result.ok) throw new InputError(firstIssue(file, result.errors));
  warnAll(io, file, result.warnings);
  const s = result.summary;
  const cfg = result.scenario.iommu;
  const what = s.scalable
    ? `${s.pasidEntries} PASID entr${s.pasidEntries === 1 ? 'y' : 'ies'}`
    : 'legacy mode';
  const settings = s.scalable
    ? `fsts ${cfg.fsts ? 'on' : 'off'}, aw-bits ${cfg.awBits}, pasid-bits ${cfg.pasidBits}`
    : 'scalable-mode off';
  io.stderr(
    `pasidscope: note: ${file}: IOMMU ${s.iommuName}, ${s.devices} device${s.devices === 1 ? '' : 's'} (${backend ?? 'emulated'}), ${what}; ${settings} (why: the file's description)\n`,
  );
  io.stdout(json(result.file));
  return 0;
}

function readVariantOption(v: string): (typeof VARIANTS)[number] {
  const hit = VARIANTS.find((x) => x === v);
  if (!hit) throw new InputError(`--variant must be ${VARIANTS.join(', ')}; got "${v}"`);
  return hit;
}

async function importTrace(ctx: ExtraCommandContext): Promise<number> {
  const { io, file, values } = ctx;
  if (file === undefined) {
    throw new InputError("import-trace needs a LOG file: QEMU's output with -trace vtd_inv_desc");
  }
  if (values.base === undefined && values.preset === undefined) {
    throw new InputError(
      'import-trace needs the scenario the descriptors run against: --base FILE or --preset NAME',
    );
  }
  const variant = values.variant !== undefined ? readVariantOption(values.variant) : undefined;
  const base = await ctx.readScenarioText(values.base, values.preset, 'import-trace');
  // The parser's own message for a base that is not a scenario (JSON syntax with line/column).
  const checked = parseScenarioText(base.text);
  if (!checked.ok) throw new InputError(firstScenarioIssue(base.label, checked.errors));
  const raw: unknown = JSON.parse(base.text);
  const baseFile = variant && isObject(raw) ? { ...raw, variant } : raw;
  const text = await ctx.readText(file);
  if (isKernelQiTrace(text)) return importKernelTrace(ctx, file, text, baseFile, base.label);
  if (values.iommu !== undefined) {
    throw new InputError(
      `--iommu applies to a kernel qi_submit trace; ${file} is a QEMU log (one vIOMMU)`,
    );
  }
  const result = appendQemuTraceToFile(text, baseFile);
  if (!result.ok) throw importFailure(result, file, base.label);
  const st = result.stats;
  if (!st.descriptors) {
    const lines = text.split('\n').filter((l) => l.trim() !== '').length;
    throw new InputError(
      `${file}: no vtd_inv_desc events in ${lines} lines (${st.otherEventCount} other trace events, ${result.unreadable.length} lines that are no trace event); start QEMU with -trace 'vtd_inv_desc' (or -trace 'vtd_*')`,
    );
  }
  warnAll(io, base.label, result.fileWarnings);
  warnAll(io, file, result.warnings);
  const total = result.scenario.steps.length;
  const first = total - result.steps.length;
  const notes = [
    `${st.descriptors} descriptor${st.descriptors === 1 ? '' : 's'} appended to ${base.label} as steps ${first}..${total - 1}`,
    ...logNotes(st, result.unreadable),
  ];
  return printLogImport(io, file, notes, st.missingPasidCache, result.file);
}

/** What both log imports say about steps added, events skipped and lines not read. */
function logNotes(
  st: {
    readonly clearIqeInserted: number;
    readonly otherEventCount: number;
    readonly otherEvents: Readonly<Record<string, number>>;
  },
  unreadable: readonly ImportIssue[],
): string[] {
  return [
    st.clearIqeInserted
      ? `with ${st.clearIqeInserted} clearIqe step${st.clearIqeInserted === 1 ? '' : 's'} after descriptors QEMU rejects`
      : '',
    st.otherEventCount
      ? `${st.otherEventCount} other trace events skipped (${skippedEvents(st.otherEvents)})`
      : '',
    unreadable.length
      ? `${unreadable.length} line${unreadable.length === 1 ? ' is' : 's are'} no trace event (${describeLines(unreadable.map((u) => u.line ?? 0))})`
      : '',
  ];
}

function printLogImport(
  io: CliIo,
  file: string,
  notes: readonly string[],
  missingPasidCache: string | undefined,
  out: unknown,
): number {
  io.stderr(`pasidscope: note: ${file}: ${notes.filter(Boolean).join('; ')}\n`);
  if (missingPasidCache) warnAll(io, file, [missingPasidCache]);
  io.stdout(json(out));
  return 0;
}

/** The first problem of the log (by line) or of its base file (by JSON path). */
function importFailure(
  result: {
    readonly errors: readonly ImportIssue[];
    readonly baseErrors?: readonly { readonly path: string; readonly message: string }[];
  },
  file: string,
  baseLabel: string,
): InputError {
  return new InputError(
    result.baseErrors?.length
      ? firstScenarioIssue(baseLabel, result.baseErrors)
      : firstIssue(file, result.errors),
  );
}

function skippedEvents(events: Readonly<Record<string, number>>): string {
  const top = Object.entries(events)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 4)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return `${top}${Object.keys(events).length > 4 ? ', ...' : ''}`;
}

/** import-trace of the guest kernel's intel_iommu:qi_submit trace. */
function importKernelTrace(
  ctx: ExtraCommandContext,
  file: string,
  text: string,
  baseFile: unknown,
  baseLabel: string,
): number {
  const { io, values } = ctx;
  const result = importKernelQiTrace(
    text,
    { file: baseFile },
    values.iommu !== undefined ? { iommu: values.iommu } : {},
  );
  if (!result.ok) throw importFailure(result, file, baseLabel);
  const st = result.stats;
  warnAll(io, baseLabel, result.fileWarnings);
  warnAll(io, file, result.warnings);
  const total = result.scenario.steps.length;
  const first = total - result.steps.length;
  const others = st.units.filter((u) => u.name !== st.iommu);
  const notes = [
    `${st.descriptors} qi_submit descriptor${st.descriptors === 1 ? '' : 's'} of ${st.iommu} appended to ${baseLabel} as steps ${first}..${total - 1}`,
    others.length
      ? `skipped ${others.map((u) => `${u.name} (${u.descriptors})`).join(', ')}: choose with --iommu`
      : '',
    UNTRACED_WAIT_NOTE,
    ...logNotes(st, result.unreadable),
  ];
  return printLogImport(io, file, notes, st.missingPasidCache, result.file);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "LABEL: $.path: why (and N more: ...)", as main.ts reports an invalid scenario. */
function firstScenarioIssue(
  label: string,
  errors: readonly { readonly path: string; readonly message: string }[],
): string {
  const [first, ...rest] = errors;
  const more = rest.length
    ? ` (and ${rest.length} more: ${rest
        .slice(0, 3)
        .map((e) => e.path)
        .join(', ')}${rest.length > 3 ? ', ...' : ''})`
    : '';
  return `${label}: ${first?.path ?? '$'}: ${first?.message ?? 'invalid scenario'}${more}`;
}

async function dump(ctx: ExtraCommandContext): Promise<number> {
  const { io, file, values } = ctx;
  const { scenario, warnings, label } = await ctx.loadScenario(file, values.preset, 'dump');
  warnAll(io, label, warnings);
  const step = readStep(values.step, scenario.steps.length);
  io.stdout(formatDebugfsDump(scenario, step !== undefined ? { step } : {}));
  return 0;
}

async function compare(ctx: ExtraCommandContext): Promise<number> {
  const { io, file, values } = ctx;
  if (values.variant !== undefined) {
    throw new InputError('compare runs all three variants: --variant does not apply');
  }
  const limit = readLimit(values.limit, 4);
  const { scenario, warnings, label } = await ctx.loadScenario(file, values.preset, 'compare');
  warnAll(io, label, warnings);
  const cmp = compareVariants(scenario);
  io.stdout(
    values.json
      ? json(comparisonToJson(cmp))
      : formatComparison(scenario, cmp, { limit, source: label }),
  );
  return 0;
}

// ---- the readable comparison --------------------------------------------------------------------

const VARIANT_WIDTH = Math.max(...VARIANTS.map((v) => v.length));

const PC_GRANULARITY: Readonly<Record<number, string>> = {
  0: 'domain-selective',
  1: 'PASID-selective',
  2: 'granularity 2 (reserved)',
  3: 'global',
};

const CC_GRANULARITY: Readonly<Record<number, string>> = {
  0: 'granularity 0 (invalid)',
  1: 'global',
  2: 'domain-selective',
  3: 'device-selective',
};

const ASPECT_NAMES: Readonly<Record<string, string>> = {
  status: 'status',
  error: 'error',
  pcInfo: 'pcInfo',
  changes: 'cache changes',
  accelWalk: 'walk counters',
  presence: 'present in some, absent in others',
  validity: 'valid in some, invalid in others',
  words: 'different words',
  position: 'different place in the accel list',
};

/** What a step is, in a few words (the descriptor as the guest built it). */
export function describeStep(step: ScenarioStep | undefined): string {
  if (!step) return '';
  switch (step.op) {
    case 'write':
      return `write ${step.qwords.length} qword${step.qwords.length === 1 ? '' : 's'} at 0x${step.addr.toString(16)}`;
    case 'clearIqe':
      return 'clear FSTS.IQE';
    case 'invalidate': {
      const code = descriptorTypeCode(step.desc[0] ?? 0n);
      if (code === DescType.PasidCache) {
        const d = decodePasidCacheInvDescriptor(step.desc);
        const g = PC_GRANULARITY[d.granularity] ?? '';
        return `pasid-cache ${g}${d.granularity === 0 || d.granularity === 1 ? `, did ${d.did}` : ''}${d.granularity === 1 ? `, pasid ${d.pasid}` : ''}`;
      }
      if (code === DescType.ContextCache) {
        const d = decodeContextCacheDescriptor(step.desc);
        const g = CC_GRANULARITY[d.granularity] ?? '';
        return `context-cache ${g}${d.granularity === 2 ? `, did ${d.did}` : ''}${d.granularity === 3 ? ` ${formatBdf(d.sourceId >> 8, d.sourceId & 0xff)}` : ''}`;
      }
      return descriptorTypeName(code) ?? `descriptor type ${code}`;
    }
  }
}

const MARK: Readonly<Record<string, string>> = { created: '+', updated: '~', removed: '-' };

function outcomeLine(o: StepOutcome, limit: number): string {
  const parts: string[] = [o.status];
  if (o.error) parts.push(o.error);
  if (o.accelWalk) {
    const w = o.accelWalk;
    parts.push(
      `walk ${w.dirReads} dir / ${w.entryReads} leaf reads, ${w.listCompares} list compares`,
    );
  }
  if (!o.changes.length) parts.push('no cache changes');
  else {
    const shown = o.changes
      .slice(0, limit)
      .map((c) => `${MARK[c.kind] ?? '?'} ${c.cache} ${c.bdf} pasid ${c.pasid} ${c.kind}`);
    const rest = o.changes.length - shown.length;
    parts.push(`${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`);
  }
  return parts.join('; ');
}

function stepBlock(scenario: Scenario, d: StepDifference, limit: number): string[] {
  const what = describeStep(scenario.steps[d.index]);
  const out = [
    `step ${d.index}  ${d.op}${what ? `  ${what}` : ''}${d.note ? `  -- ${d.note}` : ''}`,
    `  differs in: ${d.aspects.map((a) => ASPECT_NAMES[a] ?? a).join(', ')}`,
  ];
  for (const v of VARIANTS)
    out.push(`  ${v.padEnd(VARIANT_WIDTH)}  ${outcomeLine(d.outcomes[v], limit)}`);
  return out;
}

function stateText(s: CacheEntryState, cache: CacheEntryDifference['cache']): string {
  if (!s.present) return 'absent';
  if (cache === 'emulated' && !s.valid) return 'invalid';
  const words = s.entry.slice(0, 3).map(hexWord).join(' ');
  const where = s.position !== undefined ? `list position ${s.position}: ` : 'valid: ';
  return `${where}${describeEntry(s.entry)}  ${words}`;
}

export interface ComparisonTextOptions {
  /** Most changes shown per variant and step. */
  readonly limit?: number;
  readonly source?: string;
}

export function formatComparison(
  scenario: Scenario,
  cmp: VariantComparison,
  options: ComparisonTextOptions = {},
): string {
  const limit = options.limit ?? 4;
  const title = scenario.title ?? 'Untitled scenario';
  const out: string[] = [
    `Variant comparison: ${title}${options.source ? `  [${options.source}]` : ''}`,
    ...describeComparison(cmp),
    '',
  ];
  if (cmp.identical) {
    out.push(`All three variants agree on all ${cmp.stepCount} steps and on the final caches.`);
    return `${out.join('\n')}\n`;
  }
  if (cmp.steps.length) {
    out.push(`steps that differ (${cmp.steps.length} of ${cmp.stepCount}):`);
    for (const d of cmp.steps) out.push(...stepBlock(scenario, d, limit), '');
  } else {
    out.push(`Every step has the same outcome under the three variants.`, '');
  }
  const { iqe, entries } = cmp.final;
  if (VARIANTS.some((v) => iqe[v] !== iqe.seed)) {
    out.push(
      `FSTS.IQE at the end: ${VARIANTS.map((v) => `${v} ${iqe[v] ? 'set' : 'clear'}`).join(', ')}`,
    );
  }
  if (entries.length) {
    out.push(
      `final caches (${entries.length} entr${entries.length === 1 ? 'y differs' : 'ies differ'}):`,
    );
    for (const e of entries) {
      out.push(
        `  ${e.cache} ${e.bdf} pasid ${e.pasid}  -- ${e.aspects.map((a) => ASPECT_NAMES[a] ?? a).join(', ')}`,
      );
      for (const v of VARIANTS)
        out.push(`    ${v.padEnd(VARIANT_WIDTH)}  ${stateText(e.states[v], e.cache)}`);
    }
  } else {
    out.push('The final caches are the same under the three variants.');
  }
  return `${out.join('\n')}\n`;
}

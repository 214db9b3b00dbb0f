// The commands that send evidence out:
//   report FILE [--variant V | --compare]   the run as plain text for a mail (72 columns)
//   export-trace FILE --format perfetto     the run as Chrome trace-event JSON (Perfetto UI)
// main.ts parses the arguments and hands over here; errors are InputErrors (exit 2, one line).

import LZString from 'lz-string';
import type { Scenario, Variant } from '../model/index.ts';
import {
  VARIANTS,
  compareVariants,
  formatMailReport,
  mailComparisonLines,
  runScenario,
  scenarioToFile,
  toPerfettoTrace,
} from '../model/index.ts';
import { InputError } from './inputError.ts';
import type { CliIo } from './main.ts';

export const EVIDENCE_COMMANDS = ['report', 'export-trace'] as const;
export type EvidenceCommand = (typeof EVIDENCE_COMMANDS)[number];

export function isEvidenceCommand(command: string | undefined): command is EvidenceCommand {
  return EVIDENCE_COMMANDS.some((c) => c === command);
}

export const EVIDENCE_USAGE = `  pasidscope report FILE | --preset NAME [--variant V | --compare]
                                                 the run as plain text for a mail (72 columns)
  pasidscope export-trace FILE | --preset NAME --format perfetto [--variant V]
                                                 the run as a Perfetto / chrome://tracing trace`;

export const EVIDENCE_OPTIONS_USAGE = `  --compare         report: add where seed, series and series-fixed differ
  --format F        export-trace: perfetto (Chrome trace-event JSON)`;

export interface EvidenceOptionValues {
  readonly variant?: string;
  readonly preset?: string;
  readonly compare?: boolean;
  readonly format?: string;
}

export interface EvidenceCommandContext {
  readonly io: CliIo;
  readonly file: string | undefined;
  readonly values: EvidenceOptionValues;
  readonly loadScenario: (
    file: string | undefined,
    preset: string | undefined,
    command: string,
  ) => Promise<{ scenario: Scenario; warnings: readonly string[]; label: string }>;
}

/** Options only these commands take, and which. */
export const EVIDENCE_OPTION_OWNERS = [
  ['compare', ['report']],
  ['format', ['export-trace']],
] as const;

function readVariant(v: string | undefined): Variant | undefined {
  if (v === undefined) return undefined;
  const hit = VARIANTS.find((x) => x === v);
  if (!hit) throw new InputError(`--variant must be ${VARIANTS.join(', ')}; got "${v}"`);
  return hit;
}

/**
 * The fragment of a share link ("scenario=1.<lz-string>"), as the app writes it (see
 * src/worker/packing.ts): the report carries it inline, and the app's Import > Paste reads it.
 */
export function shareFragment(scenario: Scenario): string {
  const text = JSON.stringify(scenarioToFile(scenario));
  return `scenario=1.${LZString.compressToEncodedURIComponent(text)}`;
}

export async function runEvidenceCommand(
  command: EvidenceCommand,
  ctx: EvidenceCommandContext,
): Promise<number> {
  switch (command) {
    case 'report':
      return report(ctx);
    case 'export-trace':
      return exportTrace(ctx);
  }
}

async function report(ctx: EvidenceCommandContext): Promise<number> {
  const { io, file, values } = ctx;
  if (values.compare && values.variant !== undefined) {
    throw new InputError('--compare reports all three variants: give --variant or --compare');
  }
  const variant = readVariant(values.variant);
  const { scenario, warnings, label } = await ctx.loadScenario(file, values.preset, 'report');
  for (const w of warnings) io.stderr(`pasidscope: warning: ${label}: ${w}\n`);
  const run = variant ? { ...scenario, variant } : scenario;
  const result = runScenario(run, variant ? { variant } : {});
  const sections = values.compare ? [mailComparisonLines(scenario, compareVariants(scenario))] : [];
  io.stdout(
    formatMailReport(run, result, {
      source: values.preset !== undefined ? `preset ${values.preset}` : label,
      sections,
      attachment: { kind: 'inline', fragment: shareFragment(run) },
    }),
  );
  return 0;
}

const TRACE_FORMATS = ['perfetto'] as const;

async function exportTrace(ctx: EvidenceCommandContext): Promise<number> {
  const { io, file, values } = ctx;
  if (values.format === undefined) {
    throw new InputError('export-trace needs --format perfetto (Chrome trace-event JSON)');
  }
  if (!TRACE_FORMATS.some((f) => f === values.format)) {
    throw new InputError(`--format must be ${TRACE_FORMATS.join(', ')}; got "${values.format}"`);
  }
  const variant = readVariant(values.variant);
  const { scenario, warnings, label } = await ctx.loadScenario(file, values.preset, 'export-trace');
  for (const w of warnings) io.stderr(`pasidscope: warning: ${label}: ${w}\n`);
  const run = variant ? { ...scenario, variant } : scenario;
  const result = runScenario(run, variant ? { variant } : {});
  io.stdout(`${JSON.stringify(toPerfettoTrace(run, result))}\n`);
  return 0;
}

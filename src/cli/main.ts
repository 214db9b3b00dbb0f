// The headless command line: `npx pasidscope run FILE [--json]`, `validate`, `trace`, `export`,
// `list-presets`. It parses with the model's parser and runs the model's runScenario, so it can
// never disagree with the app. Bad input exits 2 with one line on stderr naming the JSON path at
// fault; only a bug in PASIDscope itself exits 1.

import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ParseScenarioResult, RunResult, Scenario, Variant } from '../model/index.ts';
import {
  VARIANTS,
  parseScenarioText,
  runScenario,
  scenarioToFile,
  toContractJson,
} from '../model/index.ts';
import type { ExtraOptionValues } from './importCommands.ts';
import {
  EXTRA_OPTIONS_USAGE,
  EXTRA_USAGE,
  checkOptionOwners,
  isExtraCommand,
  runExtraCommand,
} from './importCommands.ts';
import type { EvidenceOptionValues } from './evidenceCommands.ts';
import {
  EVIDENCE_OPTIONS_USAGE,
  EVIDENCE_OPTION_OWNERS,
  EVIDENCE_USAGE,
  isEvidenceCommand,
  runEvidenceCommand,
} from './evidenceCommands.ts';
import { InputError } from './inputError.ts';
import type { PresetInfo } from './presets.ts';
import { PRESET_NAME, loadPresetIndex, presetPath, similarPresets } from './presets.ts';
import { readTextFile } from './readTextFile.ts';
import { formatRunSummary } from './summary.ts';
import { formatTrace } from './traceText.ts';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
  readonly cwd: string;
}

export const EXIT_OK = 0;
/** A bug in PASIDscope (the model threw). */
export const EXIT_INTERNAL = 1;
/** Bad input: usage, a missing or unreadable file, invalid JSON, an invalid scenario, an unknown preset. */
export const EXIT_BAD_INPUT = 2;

export const USAGE = `PASIDscope: what QEMU's VT-d PASID cache does with your guest's tables, headless.

Usage:
  pasidscope run FILE [--json] [--variant V]     run a scenario; print a summary (or the contract JSON)
  pasidscope run --preset NAME [--json]          run a bundled preset instead of a file
  pasidscope validate FILE | --preset NAME       check a scenario file: "ok: N steps, M devices"
  pasidscope trace FILE | --preset NAME          every trace event: step, QEMU function, what happened
  pasidscope export FILE | --preset NAME         the canonical raw form (authoring form resolved)
  pasidscope list-presets [--json]               the bundled presets, in order
${EXTRA_USAGE}
${EVIDENCE_USAGE}
  pasidscope --help

Options:
  --json            machine-readable output (run: the object described in docs/scenario-format.md)
  --variant V       seed | series | series-fixed (overrides the file's "variant")
  --preset NAME     use public/scenarios/NAME.json
  --limit N         summary: most changes per step and entries per cache shown (default 12)
${EXTRA_OPTIONS_USAGE}
${EVIDENCE_OPTIONS_USAGE}

Exit status: 0 ok, 2 bad input (one line on stderr names the JSON path at fault), 1 internal error.`;

interface Source {
  /** What to call it in messages (the file as given, or "preset NAME"). */
  readonly label: string;
  readonly path: string;
}

function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string')
    return e.code;
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

async function presetSource(name: string): Promise<Source> {
  const presets = await loadPresetIndex();
  if (!PRESET_NAME.test(name) || !presets.some((p) => p.name === name)) {
    const near = similarPresets(name, presets);
    throw new InputError(
      `unknown preset "${name}"${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; "pasidscope list-presets" lists them`,
    );
  }
  return { label: `preset ${name}`, path: presetPath(name) };
}

async function resolveSource(
  io: CliIo,
  file: string | undefined,
  preset: string | undefined,
  command: string,
): Promise<Source> {
  if (file !== undefined && preset !== undefined) {
    throw new InputError(
      `give either FILE or --preset NAME, not both (pasidscope ${command} --help)`,
    );
  }
  if (preset !== undefined) return presetSource(preset);
  if (file === undefined)
    throw new InputError(`${command} needs a FILE or --preset NAME (see pasidscope --help)`);
  return { label: file, path: isAbsolute(file) ? file : resolve(io.cwd, file) };
}

/** The text of a file (or preset); InputError "cannot read X: why" when it cannot be read. */
async function readSourceText(io: CliIo, source: Source): Promise<string> {
  try {
    return await io.readFile(source.path);
  } catch (e) {
    const code = errorCode(e);
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : e instanceof Error
              ? e.message
              : String(e);
    throw new InputError(`cannot read ${source.label}: ${why}`);
  }
}

async function loadScenario(
  io: CliIo,
  source: Source,
): Promise<{ scenario: Scenario; warnings: string[] }> {
  const text = await readSourceText(io, source);
  const parsed: ParseScenarioResult = parseScenarioText(text);
  if (!parsed.ok) {
    const [first, ...rest] = parsed.errors;
    const more = rest.length
      ? ` (and ${rest.length} more: ${rest
          .slice(0, 3)
          .map((e) => e.path)
          .join(', ')}${rest.length > 3 ? ', ...' : ''})`
      : '';
    throw new InputError(
      `${source.label}: ${first?.path ?? '$'}: ${first?.message ?? 'invalid scenario'}${more}`,
    );
  }
  return { scenario: parsed.scenario, warnings: parsed.warnings };
}

function readVariant(v: string | undefined): Variant | undefined {
  if (v === undefined) return undefined;
  const hit = VARIANTS.find((x) => x === v);
  if (!hit) throw new InputError(`--variant must be ${VARIANTS.join(', ')}; got "${v}"`);
  return hit;
}

function readLimit(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`--limit must be a positive integer; got "${v}"`);
  return n;
}

/** Runs the model; an exception here is our bug, not the user's. */
function runModel(scenario: Scenario, variant: Variant | undefined): RunResult {
  return runScenario(scenario, variant ? { variant } : {});
}

function formatPresetList(presets: readonly PresetInfo[]): string {
  const width = Math.max(...presets.map((p) => p.name.length));
  return `${presets.map((p) => `${p.name.padEnd(width)}  ${p.title}`).join('\n')}\n`;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let values: ExtraOptionValues & EvidenceOptionValues & { help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        variant: { type: 'string' },
        preset: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        backend: { type: 'string' },
        fsts: { type: 'boolean' },
        'no-fsts': { type: 'boolean' },
        iommu: { type: 'string' },
        base: { type: 'string' },
        step: { type: 'string' },
        compare: { type: 'boolean' },
        format: { type: 'string' },
      },
    }));
  } catch (e) {
    io.stderr(
      `pasidscope: ${oneLine(e instanceof Error ? e.message : String(e))} (see pasidscope --help)\n`,
    );
    return EXIT_BAD_INPUT;
  }
  const [command, file, ...extra] = positionals;
  if (values.help || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  try {
    if (extra.length)
      throw new InputError(`unexpected argument "${extra[0] ?? ''}" (see pasidscope --help)`);
    checkOptionOwners(command, values);
    const loadLabelled = async (
      f: string | undefined,
      preset: string | undefined,
      what: string,
    ): Promise<{ scenario: Scenario; warnings: string[]; label: string }> => {
      const source = await resolveSource(io, f, preset, what);
      return { ...(await loadScenario(io, source)), label: source.label };
    };
    for (const [option, owners] of EVIDENCE_OPTION_OWNERS) {
      if (values[option] !== undefined && !owners.some((c) => c === command)) {
        throw new InputError(
          `--${option} only applies to ${owners.join(', ')} (see pasidscope --help)`,
        );
      }
    }
    if (isEvidenceCommand(command)) {
      return await runEvidenceCommand(command, {
        io,
        file,
        values,
        loadScenario: loadLabelled,
      });
    }
    if (isExtraCommand(command)) {
      return await runExtraCommand(command, {
        io,
        file,
        values,
        loadScenario: loadLabelled,
        readScenarioText: async (f, preset, what) => {
          const source = await resolveSource(io, f, preset, what);
          return { text: await readSourceText(io, source), label: source.label };
        },
        readText: (f) =>
          readSourceText(io, { label: f, path: isAbsolute(f) ? f : resolve(io.cwd, f) }),
      });
    }
    switch (command) {
      case undefined:
        throw new InputError('no command given: try "pasidscope run FILE" or "pasidscope --help"');
      case 'list-presets': {
        if (file !== undefined) throw new InputError(`unexpected argument "${file}"`);
        const presets = await loadPresetIndex();
        io.stdout(
          values.json ? `${JSON.stringify(presets, null, 2)}\n` : formatPresetList(presets),
        );
        return EXIT_OK;
      }
      case 'validate': {
        const source = await resolveSource(io, file, values.preset, command);
        const { scenario, warnings } = await loadScenario(io, source);
        for (const w of warnings) io.stderr(`pasidscope: warning: ${source.label}: ${w}\n`);
        const n = scenario.steps.length;
        const m = scenario.devices.length;
        io.stdout(`ok: ${n} step${n === 1 ? '' : 's'}, ${m} device${m === 1 ? '' : 's'}\n`);
        return EXIT_OK;
      }
      case 'run':
      case 'trace':
      case 'export': {
        const variant = readVariant(values.variant);
        const limit = readLimit(values.limit);
        const source = await resolveSource(io, file, values.preset, command);
        const { scenario, warnings } = await loadScenario(io, source);
        for (const w of warnings) io.stderr(`pasidscope: warning: ${source.label}: ${w}\n`);
        if (command === 'export') {
          const out = variant ? { ...scenario, variant } : scenario;
          io.stdout(`${JSON.stringify(scenarioToFile(out), null, 2)}\n`);
          return EXIT_OK;
        }
        const result = runModel(scenario, variant);
        if (command === 'trace') {
          io.stdout(formatTrace(scenario, result));
        } else if (values.json) {
          io.stdout(`${JSON.stringify(toContractJson(result), null, 2)}\n`);
        } else {
          const label = values.preset ?? file;
          io.stdout(
            formatRunSummary(scenario, result, {
              ...(limit ? { limit } : {}),
              ...(label ? { source: label } : {}),
            }),
          );
        }
        return EXIT_OK;
      }
      default:
        throw new InputError(
          `unknown command "${command}": expected run, validate, trace, export, list-presets, import-debugfs, import-trace, compare, dump, report or export-trace`,
        );
    }
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`pasidscope: ${oneLine(e.message)}\n`);
      return EXIT_BAD_INPUT;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(
      `pasidscope: internal error: ${oneLine(msg)} (please report it with the scenario file)\n`,
    );
    if (process.env.PASIDSCOPE_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return EXIT_INTERNAL;
  }
}

/** stdout / stderr / files of this process. A closed pipe (`| head`) ends output quietly; files are
 * read strictly (readTextFile.ts: regular files of UTF-8 only). */
export function processIo(): CliIo {
  process.stdout.on('error', (e) => {
    if (errorCode(e) === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readFile: readTextFile,
    cwd: process.cwd(),
  };
}

export async function runFromProcess(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), processIo());
}

// Run when executed directly (`tsx src/cli/main.ts`, as `npm run sim` does); bin/pasidscope.mjs
// imports this module and calls runFromProcess itself.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  await runFromProcess();
}

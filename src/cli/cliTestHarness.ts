// Test support shared by the CLI's test files: run `main` in-process with captured output and an
// in-memory file system, and assert the "one clear line on stderr" rule for bad input.
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { CliIo } from './main.ts';
import { EXIT_BAD_INPUT, main } from './main.ts';
import { readTextFile } from './readTextFile.ts';

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process; `files` maps paths relative to /cli-test to contents; presets are real. */
export async function cli(
  args: readonly string[],
  files: Readonly<Record<string, string>> = {},
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: '/cli-test',
    readFile: (p) => {
      const key = p.startsWith('/cli-test/') ? p.slice('/cli-test/'.length) : p;
      const text = files[key];
      if (text !== undefined) return Promise.resolve(text);
      if (p.includes('public/scenarios')) return readFile(p, 'utf8');
      return Promise.reject(Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' }));
    },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Runs the CLI in-process on the real file system, reading files as the installed command does. */
export async function cliOnDisk(args: readonly string[], cwd: string): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd,
    readFile: readTextFile,
  });
  return { code, stdout, stderr };
}

/** Bad input: exit 2, nothing on stdout, exactly one stderr line matching `pattern`, no stack. */
export function expectOneLineError(r: Captured, pattern: RegExp): void {
  expect(r.code).toBe(EXIT_BAD_INPUT);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

// Hostile files on a real disk: a FIFO (which would block in open()), bytes that are not UTF-8, a
// byte-order mark, a directory. Every command that reads a file goes through the same reader.

import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fc, test as propTest } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOnDisk, expectOneLineError } from './cliTestHarness.ts';
import { EXIT_OK } from './main.ts';
import { decodeUtf8File } from './readTextFile.ts';

const FIXTURES = fileURLToPath(new URL('../model/importers/__fixtures__/', import.meta.url));
const PRESETS = fileURLToPath(new URL('../../public/scenarios/', import.meta.url));
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const MKFIFO = 'mkfifo';

let dir = '';
let scenarioBytes = Buffer.alloc(0);
/** The scenario with one byte inside its title replaced by 0xff, and where that byte is. */
let badUtf8 = { offset: 0, line: 0, column: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pasidscope-files-'));
  scenarioBytes = await readFile(`${PRESETS}torn-down-entry.json`);
  await writeFile(join(dir, 'good.json'), scenarioBytes);
  await writeFile(join(dir, 'bom.json'), Buffer.concat([BOM, scenarioBytes]));
  const bad = Buffer.from(scenarioBytes);
  const offset = bad.indexOf('"title"') + '"title": "'.length + 2;
  bad[offset] = 0xff;
  const before = bad.subarray(0, offset).toString('latin1').split('\n');
  badUtf8 = { offset, line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
  await writeFile(join(dir, 'bad-utf8.json'), bad);
  await copyFile(`${FIXTURES}linux-boot.qemu-trace.log`, join(dir, 'qemu.log'));
  const dump = await readFile(`${FIXTURES}linux-boot.dmar_translation_struct.txt`);
  await writeFile(join(dir, 'dump.txt'), dump);
  await writeFile(join(dir, 'dump-bom.txt'), Buffer.concat([BOM, dump]));
  await writeFile(join(dir, 'dump-latin1.txt'), Buffer.concat([dump, Buffer.from([0xe9, 0x0a])]));
  await mkdir(join(dir, 'a-directory'));
  // A system tool, not a package: named through a constant so that knip does not list it as a
  // missing dependency.
  execFileSync(MKFIFO, [join(dir, 'fifo')]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a FIFO is refused before it is opened, by every command that reads a file', () => {
  it.each<[string, string[]]>([
    ['run', ['run', 'fifo']],
    ['run --json', ['run', 'fifo', '--json']],
    ['validate', ['validate', 'fifo']],
    ['trace', ['trace', 'fifo']],
    ['export', ['export', 'fifo']],
    ['compare', ['compare', 'fifo']],
    ['dump', ['dump', 'fifo']],
    ['import-debugfs', ['import-debugfs', 'fifo']],
    ['import-trace LOG', ['import-trace', 'fifo', '--preset', 'linux-boot']],
    ['import-trace --base', ['import-trace', 'qemu.log', '--base', 'fifo']],
  ])('%s', async (_, args) => {
    const r = await cliOnDisk(args, dir);
    expectOneLineError(
      r,
      /^pasidscope: cannot read fifo: it is a FIFO \(named pipe\), not a regular file/,
    );
  });

  it('a directory is named as one', async () => {
    expectOneLineError(
      await cliOnDisk(['validate', 'a-directory'], dir),
      /^pasidscope: cannot read a-directory: it is a directory$/,
    );
  });
});

describe('bytes that are not UTF-8 are refused, never replaced', () => {
  it.each([['validate'], ['run'], ['trace'], ['export'], ['compare'], ['dump']])(
    '%s names the byte, its offset and its line',
    async (command) => {
      const r = await cliOnDisk([command, 'bad-utf8.json'], dir);
      expectOneLineError(
        r,
        new RegExp(
          `^pasidscope: cannot read bad-utf8\\.json: not valid UTF-8: byte 0xff at offset ${badUtf8.offset} \\(line ${badUtf8.line}, column ${badUtf8.column}\\)`,
        ),
      );
    },
  );

  it('in a debugfs dump too (a Latin-1 byte at the end)', async () => {
    const size = (await readFile(join(dir, 'dump.txt'))).length;
    expectOneLineError(
      await cliOnDisk(['import-debugfs', 'dump-latin1.txt'], dir),
      new RegExp(`not valid UTF-8: byte 0xe9 at offset ${size} `),
    );
  });

  it('a UTF-16 file is named as UTF-16', async () => {
    await writeFile(join(dir, 'utf16.json'), Buffer.from('\ufeff{}', 'utf16le'));
    expectOneLineError(
      await cliOnDisk(['validate', 'utf16.json'], dir),
      /cannot read utf16\.json: it is UTF-16/,
    );
  });

  propTest.prop([fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })])(
    'the offset given is where the bad byte is',
    (before, after) => {
      const head = Buffer.from(before.replace(/^\ufeff/, ''), 'utf8');
      const bytes = Buffer.concat([head, Buffer.from([0xc0]), Buffer.from(after, 'utf8')]);
      expect(() => decodeUtf8File(bytes)).toThrow(
        new RegExp(`byte 0xc0 at offset ${head.length} `),
      );
    },
  );

  propTest.prop([fc.string({ unit: 'binary' })])('well-formed UTF-8 reads back unchanged', (s) => {
    const text = s.replace(/^\ufeff/, '');
    expect(decodeUtf8File(Buffer.from(text, 'utf8'))).toBe(text);
  });
});

describe('a UTF-8 byte-order mark is skipped', () => {
  it('validate and run --json treat the file as if it had none', async () => {
    const plain = await cliOnDisk(['run', 'good.json', '--json'], dir);
    const withBom = await cliOnDisk(['run', 'bom.json', '--json'], dir);
    expect(plain.code).toBe(EXIT_OK);
    expect(withBom).toEqual(plain);
    const v = await cliOnDisk(['validate', 'bom.json'], dir);
    expect(v.code).toBe(EXIT_OK);
    expect(v.stdout).toMatch(/^ok: /);
  });

  it('an error in a file with a byte-order mark carries no invisible character', async () => {
    const text = scenarioBytes.toString('utf8').replace('"version": 1', '"version": 2');
    await writeFile(join(dir, 'bom-v2.json'), Buffer.concat([BOM, Buffer.from(text)]));
    const r = await cliOnDisk(['validate', 'bom-v2.json'], dir);
    expectOneLineError(r, /bom-v2\.json: \$\.version: expected version 1/);
    expect(r.stderr).not.toMatch(/\ufeff/);
  });

  it('as a --base of import-trace and as a debugfs dump', async () => {
    await writeFile(join(dir, 'base-bom.json'), Buffer.concat([BOM, scenarioBytes]));
    const traced = await cliOnDisk(['import-trace', 'qemu.log', '--base', 'base-bom.json'], dir);
    const tracedPlain = await cliOnDisk(['import-trace', 'qemu.log', '--base', 'good.json'], dir);
    expect(traced.code).toBe(EXIT_OK);
    expect(traced.stdout).toBe(tracedPlain.stdout);
    const dumped = await cliOnDisk(['import-debugfs', 'dump-bom.txt'], dir);
    const dumpedPlain = await cliOnDisk(['import-debugfs', 'dump.txt'], dir);
    expect(dumped.code).toBe(EXIT_OK);
    expect(dumped.stdout).toBe(dumpedPlain.stdout);
  });
});

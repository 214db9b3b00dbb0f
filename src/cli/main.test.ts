import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QEMU_FUNCTIONS, parseScenario, runScenario, toContractJson } from '../model/index.ts';
import { cli, expectOneLineError } from './cliTestHarness.ts';
import { EXIT_OK } from './main.ts';
import { loadPresetIndex } from './presets.ts';

const small = {
  format: 'pasidscope-scenario',
  version: 1,
  title: 'CLI test',
  iommu: { rootTableAddr: '0x1000' },
  devices: [
    { bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20, name: 'nic0' },
    { bdf: '00:03.0', backend: 'emulated' },
  ],
  tables: {
    devices: [
      {
        bdf: '00:02.0',
        pasids: [
          { pasid: 0, present: true, pgtt: 'pass-through', did: 1 },
          { pasid: 7, present: true, pgtt: 'first-stage', did: 3, fsptptr: '0x100000' },
        ],
      },
      { bdf: '00:03.0', pasids: [{ pasid: 0, present: true, pgtt: 'pass-through', did: 1 }] },
    ],
  },
  steps: [
    { op: 'invalidate', granularity: 'global' },
    {
      op: 'writePasidEntry',
      bdf: '00:02.0',
      pasid: 7,
      fields: { present: false },
      note: 'teardown',
    },
    { op: 'invalidate', granularity: 'pasid', did: 3, pasid: 7 },
  ],
};

const smallFiles = { 'small.json': JSON.stringify(small) };

describe('pasidscope run', () => {
  it('--json prints exactly the contract object of the model run', async () => {
    const r = await cli(['run', 'small.json', '--json'], smallFiles);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stderr).toBe('');
    const parsed = parseScenario(small);
    if (!parsed.ok) throw new Error('fixture invalid');
    expect(r.stdout).toBe(
      `${JSON.stringify(toContractJson(runScenario(parsed.scenario)), null, 2)}\n`,
    );
  });

  it('--variant overrides the file: seed keeps the torn-down PASID, series removes it', async () => {
    const seed = JSON.parse((await cli(['run', 'small.json', '--json'], smallFiles)).stdout) as {
      variant: string;
      final: { accel: Record<string, { pasid: number }[]> };
    };
    const series = JSON.parse(
      (await cli(['run', 'small.json', '--json', '--variant', 'series'], smallFiles)).stdout,
    ) as typeof seed;
    expect(seed.variant).toBe('seed');
    expect(series.variant).toBe('series');
    expect(seed.final.accel['00:02.0']?.map((e) => e.pasid)).toContain(7);
    expect(series.final.accel['00:02.0']?.map((e) => e.pasid)).not.toContain(7);
  });

  it('prints a readable summary: steps with status and changes, then the caches in list order', async () => {
    const r = await cli(['run', 'small.json'], smallFiles);
    expect(r.code).toBe(EXIT_OK);
    const out = r.stdout;
    expect(out).toMatch(/^CLI test/);
    expect(out).toMatch(/0 +invalidate +processed +pasid-cache global, did 0, pasid 0/);
    expect(out).toMatch(/\+ accel +00:02\.0 pasid 7 created/);
    expect(out).toMatch(/1 +write +applied .*-- teardown/);
    expect(out).toMatch(/2 +invalidate +processed +pasid-cache PASID-selective, did 3, pasid 7/);
    // Head first: PASID 7 was created after PASID 0.
    const list = out.slice(out.indexOf('accel list'));
    expect(list.indexOf('pasid 7')).toBeLessThan(list.indexOf('pasid 0'));
    expect(out).toMatch(/emulated pasid 0 +valid/);
    // The seed keeps the torn-down PASID 7; the summary flags the copy that memory no longer has.
    expect(out).toMatch(/pasid 7 .*\[stale: guest memory now differs\]/);
    expect(out).not.toMatch(/pasid 0 .*\[stale/);
  });

  it('--limit caps the changes shown per step and says how many are left', async () => {
    const r = await cli(['run', 'small.json', '--limit', '1'], smallFiles);
    expect(r.stdout).toMatch(/\.\.\. 3 more changes \(--json lists all\)/);
  });
});

describe('pasidscope validate', () => {
  it('says ok with the step and device counts', async () => {
    const r = await cli(['validate', 'small.json'], smallFiles);
    expect(r).toEqual({ code: EXIT_OK, stdout: 'ok: 3 steps, 2 devices\n', stderr: '' });
  });

  it('prints warnings on stderr and still succeeds', async () => {
    const r = await cli(['validate', 'x.json'], {
      'x.json': JSON.stringify({ ...small, future: 1 }),
    });
    expect(r.code).toBe(EXIT_OK);
    expect(r.stderr).toMatch(/warning: x\.json: \$\.future: unknown key ignored/);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a wrong format',
      { ...small, format: 'nope' },
      /bad\.json: \$\.format: expected "pasidscope-scenario"/,
    ],
    [
      'a malformed word',
      { ...small, steps: [{ op: 'invalidate', desc: ['0x7', '0xzz'] }] },
      /\$\.steps\[0\]\.desc\[1\]: expected a hex string like 0x1f, got "0xzz"/,
    ],
    [
      'a refused configuration',
      { ...small, iommu: { rootTableAddr: '0x1000', scalableMode: false } },
      /\$\.iommu\.fsts: .*scalable-mode.*\(and 1 more: \$\.iommu\.pasidBits\)/,
    ],
  ])('refuses %s: exit 2, one line naming the JSON path', async (_name, file, pattern) => {
    expectOneLineError(
      await cli(['validate', 'bad.json'], { 'bad.json': JSON.stringify(file) }),
      pattern,
    );
  });
});

describe('bad input never gives a stack trace', () => {
  it.each<[string, readonly string[], Readonly<Record<string, string>>, RegExp]>([
    ['a missing file', ['run', 'missing.json'], {}, /cannot read missing\.json: no such file/],
    ['invalid JSON', ['run', 'b.json'], { 'b.json': '{"format": ' }, /b\.json: \$: not valid JSON/],
    [
      'an unknown preset',
      ['run', '--preset', 'linux-bot'],
      {},
      /unknown preset "linux-bot" \(did you mean linux-boot\?\)/,
    ],
    [
      'a preset name that leaves the folder',
      ['run', '--preset', '../secret'],
      {},
      /unknown preset/,
    ],
    ['an unknown command', ['frob'], {}, /unknown command "frob"/],
    ['no command', [], {}, /no command given/],
    ['an unknown option', ['run', 'small.json', '--frob'], smallFiles, /Unknown option '--frob'/],
    [
      'a bad variant',
      ['run', 'small.json', '--variant', 'final'],
      smallFiles,
      /--variant must be seed, series, series-fixed; got "final"/,
    ],
    [
      'FILE and --preset together',
      ['run', 'small.json', '--preset', 'linux-boot'],
      smallFiles,
      /not both/,
    ],
    ['run without FILE', ['run'], {}, /run needs a FILE or --preset NAME/],
    [
      'a stray argument',
      ['run', 'small.json', 'other.json'],
      smallFiles,
      /unexpected argument "other\.json"/,
    ],
  ])('%s', async (_name, args, files, pattern) => {
    expectOneLineError(await cli(args, files), pattern);
  });
});

describe('other commands', () => {
  it('--help prints the usage on stdout', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/Usage:\n {2}pasidscope run FILE/);
  });

  it('list-presets lists every preset of index.json in order', async () => {
    const r = await cli(['list-presets']);
    const names = (await loadPresetIndex()).map((p) => p.name);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(names);
    const json = JSON.parse((await cli(['list-presets', '--json'])).stdout) as { name: string }[];
    expect(json.map((p) => p.name)).toEqual(names);
  });

  it('trace prints one line per trace event with its step and QEMU function', async () => {
    const r = await cli(['trace', 'small.json'], smallFiles);
    expect(r.code).toBe(EXIT_OK);
    const parsed = parseScenario(small);
    if (!parsed.ok) throw new Error('fixture invalid');
    const trace = runScenario(parsed.scenario).trace;
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(trace.length);
    const names = new Set(Object.values(QEMU_FUNCTIONS).map((f) => f.name));
    for (const line of lines) {
      const m = /^step (\d+) +#\s*\d+ +(\S+) +\S/.exec(line);
      expect(m, line).not.toBeNull();
      expect(names.has(m![2]!)).toBe(true);
    }
    // The teardown write is step 1; the PASID-selective invalidation of step 2 is seen by the walk.
    expect(r.stdout).toMatch(/^step 1 .*guest writes 1 qword/m);
    expect(r.stdout).toMatch(/^step 2 .*vtd_sm_pasid_table_walk_one .*PASID 0x7: not present/m);
  });

  it('export prints the raw form, which loads back to the same scenario', async () => {
    const r = await cli(['export', 'small.json'], smallFiles);
    expect(r.code).toBe(EXIT_OK);
    const exported: unknown = JSON.parse(r.stdout);
    expect(exported).not.toHaveProperty('tables');
    const again = parseScenario(exported);
    const first = parseScenario(small);
    if (!again.ok || !first.ok) throw new Error('export did not load');
    expect(again.scenario).toEqual(first.scenario);
  });

  it('runs a bundled preset by name', async () => {
    const r = await cli(['run', '--preset', 'did-mismatch', '--json']);
    expect(r.code).toBe(EXIT_OK);
    expect((JSON.parse(r.stdout) as { variant: string }).variant).toBe('seed');
  });
});

describe('npx pasidscope (the real launcher, in a child process)', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const bin = join(root, 'bin', 'pasidscope.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'pasidscope-cli-'));
  writeFileSync(join(dir, 'small.json'), JSON.stringify(small));
  writeFileSync(
    join(dir, 'bad.json'),
    JSON.stringify({ ...small, steps: [{ op: 'invalidate', desc: ['0x7', '0x0', '0x0'] }] }),
  );
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });

  it('run --json prints the contract JSON and exits 0', () => {
    const r = run('run', 'small.json', '--json');
    expect(r.status).toBe(0);
    const parsed = parseScenario(small);
    if (!parsed.ok) throw new Error('fixture invalid');
    expect(r.stdout).toBe(
      `${JSON.stringify(toContractJson(runScenario(parsed.scenario)), null, 2)}\n`,
    );
  });

  it('an invalid file exits 2 with one line on stderr', () => {
    const r = run('run', 'bad.json');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'pasidscope: bad.json: $.steps[0].desc: expected 2 or 4 descriptor words (val[0] first), got 3',
    ]);
  });
});

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../model/index.ts';
import {
  compareVariants,
  formatDebugfsDump,
  importDebugfsDump,
  importQemuTraceLog,
  parseScenario,
  parseScenarioText,
  runScenario,
  walkDmarTranslation,
} from '../model/index.ts';
import { cli, expectOneLineError } from './cliTestHarness.ts';
import { EXIT_OK } from './main.ts';

const FIXTURES = fileURLToPath(new URL('../model/importers/__fixtures__/', import.meta.url));
const PRESETS = fileURLToPath(new URL('../../public/scenarios/', import.meta.url));

const fixture = (name: string): Promise<string> => readFile(`${FIXTURES}${name}`, 'utf8');

async function preset(name: string): Promise<Scenario> {
  const r = parseScenarioText(await readFile(`${PRESETS}${name}.json`, 'utf8'));
  if (!r.ok) throw new Error(`preset ${name} invalid`);
  return r.scenario;
}

function loaded(stdout: string): Scenario {
  const r = parseScenario(JSON.parse(stdout));
  if (!r.ok) throw new Error(`output does not load: ${JSON.stringify(r.errors)}`);
  return r.scenario;
}

/** What the dump shows, per row: the comparison "same structures" means. */
function rows(s: Scenario) {
  return walkDmarTranslation(s).rows.map((r) => ({
    bdf: r.bdf,
    root: r.rootEntry,
    context: r.contextEntry,
    contextAt: r.contextEntryAddr,
    pasid: r.pasid,
    entry: r.pasidEntry,
    dir: r.pasidDirAddr,
  }));
}

describe('fixtures: a debugfs dump of the linux-boot preset and of the real guest', () => {
  it.each([
    ['linux-boot', 'linux-boot.dmar_translation_struct.txt'],
    ['realguest-sm-strict-final', 'realguest-sm-strict.dmar_translation_struct.txt'],
  ])('%s: the dump the guest would print is the fixture', async (name, file) => {
    expect(formatDebugfsDump(await preset(name))).toBe(await fixture(file));
  });

  it.each([
    ['linux-boot', 'linux-boot.dmar_translation_struct.txt'],
    ['realguest-sm-strict-final', 'realguest-sm-strict.dmar_translation_struct.txt'],
  ])('%s: import gives the same structures at the same addresses', async (name, file) => {
    const original = await preset(name);
    const r = importDebugfsDump(await fixture(file));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings).toEqual([]);
    expect(rows(r.scenario)).toEqual(rows(original));
    expect(r.scenario.iommu.rootTableAddr).toBe(original.iommu.rootTableAddr & ~0xfffn);
  });

  it('realguest: the imported settings are those of the QEMU the guest ran on', async () => {
    const original = await preset('realguest-sm-strict-final');
    const r = importDebugfsDump(await fixture('realguest-sm-strict.dmar_translation_struct.txt'));
    if (!r.ok) throw new Error('import failed');
    const { fsts, pasidBits, awBits, scalableMode } = original.iommu;
    expect(r.scenario.iommu).toMatchObject({ fsts, pasidBits, awBits, scalableMode });
    // 03:00.0 and 03:01.0 (a PCI bridge's alias) share one directory, and so one PASID table.
    const dirs = rows(r.scenario)
      .filter((x) => x.bdf.startsWith('03:'))
      .map((x) => x.dir);
    expect(new Set(dirs).size).toBe(1);
  });

  it('realguest: running the import fills every emulated PASID-0 cache with what the final preset run has', async () => {
    const original = runScenario(await preset('realguest-sm-strict-final'));
    const r = importDebugfsDump(await fixture('realguest-sm-strict.dmar_translation_struct.txt'));
    if (!r.ok) throw new Error('import failed');
    const mine = runScenario(r.scenario);
    for (const [bdf, spaces] of Object.entries(original.final.emulated)) {
      if (!spaces['0']?.valid) continue;
      expect(mine.final.emulated[bdf]?.['0'], bdf).toEqual(spaces['0']);
    }
  });

  it('the trace fixture holds exactly the descriptors linux-boot queues', async () => {
    const boot = await preset('linux-boot');
    const r = importQemuTraceLog(await fixture('linux-boot.qemu-trace.log'));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const expected = boot.steps.flatMap((s) =>
      s.op === 'invalidate' ? [[s.desc[0], s.desc[1], 0n, 0n]] : [],
    );
    expect(r.steps.map((s) => (s.op === 'invalidate' ? s.desc : []))).toEqual(expected);
    expect(r.unreadable.map((u) => u.line)).toEqual([1]);
    expect(r.stats.otherEvents.vtd_inv_qi_head).toBe(expected.length);
  });
});

describe('pasidscope import-debugfs', () => {
  it('prints a scenario file that loads and dumps back to the input', async () => {
    const dump = await fixture('linux-boot.dmar_translation_struct.txt');
    const r = await cli(['import-debugfs', 'dump.txt', '--backend', 'iommufd'], {
      'dump.txt': dump,
    });
    expect(r.code).toBe(EXIT_OK);
    const s = loaded(r.stdout);
    expect(formatDebugfsDump(s)).toBe(dump);
    expect(s.devices.map((d) => d.backend)).toEqual(['iommufd', 'iommufd', 'iommufd']);
    expect(r.stderr).toMatch(
      /^pasidscope: note: dump\.txt: IOMMU dmar0, 3 devices \(iommufd\), 4 PASID entries; fsts on, aw-bits 48, pasid-bits 20 \(why: the file.s description\)\n$/,
    );
    // The last step fills the caches: every present PASID of nic0 ends in its accel list.
    const run = runScenario(s);
    expect(run.final.accel['00:02.0']?.map((e) => e.pasid).sort()).toEqual([0, 1]);
  });

  it('--no-fsts overrides what the entries say, with a warning per kind of entry QEMU then rejects', async () => {
    const r = await cli(['import-debugfs', 'dump.txt', '--no-fsts'], {
      'dump.txt': await fixture('linux-boot.dmar_translation_struct.txt'),
    });
    expect(r.code).toBe(EXIT_OK);
    expect(loaded(r.stdout).iommu.fsts).toBe(false);
    expect(r.stderr).toMatch(
      /warning: dump\.txt: fsts is off: QEMU rejects the first-stage entries \(PGTT 1\) of lines 3, 4, 5 and 6/,
    );
  });

  it.each<[string, readonly string[], Readonly<Record<string, string>>, RegExp]>([
    ['no DUMP', ['import-debugfs'], {}, /import-debugfs needs a DUMP file/],
    ['a missing DUMP', ['import-debugfs', 'nope.txt'], {}, /cannot read nope\.txt: no such file/],
    [
      'a bad row',
      ['import-debugfs', 'd.txt'],
      {
        'd.txt':
          'IOMMU dmar0: Root Table Address: 0x1000\nB.D.F\tRoot_entry\n00:02.0\t0x0:0x5001\tzz\t0\t0x0:0x0:0x0\n',
      },
      /^pasidscope: d\.txt: line 3: column 3 \(context entry\): expected hi:lo/,
    ],
    [
      'several bad rows',
      ['import-debugfs', 'd.txt'],
      { 'd.txt': 'IOMMU dmar0: Root Table Address: 0x1000\nfoo\nbar\n' },
      /d\.txt: line 2: not a line of dmar_translation_struct: "foo".* \(and 1 more: line 3\)$/,
    ],
    [
      'a bad backend',
      ['import-debugfs', 'd.txt', '--backend', 'vfio'],
      {},
      /--backend must be iommufd, vfio-legacy, emulated; got "vfio"/,
    ],
    ['--fsts with --no-fsts', ['import-debugfs', 'd.txt', '--fsts', '--no-fsts'], {}, /not both/],
    [
      'an IOMMU that is not there',
      ['import-debugfs', 'd.txt', '--iommu', 'dmar9'],
      { 'd.txt': 'IOMMU dmar0: Root Table Address: 0x1000\n' },
      /d\.txt: no IOMMU named "dmar9" in this dump; it has dmar0 \(line 1\)/,
    ],
    [
      'an option of another command',
      ['import-debugfs', 'd.txt', '--base', 'x.json'],
      {},
      /--base only applies to import-trace/,
    ],
  ])('%s: exit 2, one line', async (_name, args, files, pattern) => {
    expectOneLineError(await cli(args, files), pattern);
  });
});

describe('pasidscope import-trace', () => {
  it('appends the descriptors to the base file, keeping its authoring form', async () => {
    const dump = await fixture('linux-boot.dmar_translation_struct.txt');
    const imported = await cli(['import-debugfs', 'dump.txt', '--backend', 'iommufd'], {
      'dump.txt': dump,
    });
    const log = await fixture('linux-boot.qemu-trace.log');
    const r = await cli(['import-trace', 'qemu.log', '--base', 'base.json'], {
      'qemu.log': log,
      'base.json': imported.stdout,
    });
    expect(r.code).toBe(EXIT_OK);
    const out = JSON.parse(r.stdout) as {
      tables?: unknown;
      steps: { op: string; note?: string }[];
    };
    expect(out.tables).toEqual((JSON.parse(imported.stdout) as { tables: unknown }).tables);
    expect(out.steps).toHaveLength(1 + 18);
    expect(out.steps[1]?.note).toBe('QEMU trace line 7, 2817@1764080416.302340: context-cache');
    expect(r.stderr).toBe(
      'pasidscope: note: qemu.log: 18 descriptors appended to base.json as steps 1..18; 51 other trace events skipped (vtd_inv_qi_head 18, vtd_inv_qi_tail 9, vtd_inv_desc_wait_sw 9, vtd_inv_desc_pasid_cache_psi 4, ...); 1 line is no trace event (line 1)\n',
    );
    // The replay of the boot's descriptors against the final tables: nothing is rejected, and
    // no wait descriptor's status write has hit a PASID table (the tables moved off those pages).
    const s = loaded(r.stdout);
    const run = runScenario(s);
    expect(run.steps.every((x) => x.status === 'processed')).toBe(true);
    expect(formatDebugfsDump(s)).toBe(dump);
  });

  it("prints the base file's own warnings under its name", async () => {
    const base = JSON.parse(await readFile(`${PRESETS}torn-down-entry.json`, 'utf8')) as object;
    const r = await cli(['import-trace', 'qemu.log', '--base', 'b.json'], {
      'qemu.log': 'vtd_inv_desc invalidate desc type pasid-cache high 0x0 low 0x37\n',
      'b.json': JSON.stringify({ ...base, future: 1 }),
    });
    expect(r.code).toBe(EXIT_OK);
    expect(r.stderr).toMatch(/^pasidscope: warning: b\.json: \$\.future: unknown key ignored/);
  });

  it('takes a preset as the base', async () => {
    const r = await cli(['import-trace', 'qemu.log', '--preset', 'torn-down-entry'], {
      'qemu.log': 'vtd_inv_desc invalidate desc type pasid-cache high 0x0 low 0x37\n',
    });
    expect(r.code).toBe(EXIT_OK);
    const base = await preset('torn-down-entry');
    const s = loaded(r.stdout);
    expect(s.steps).toHaveLength(base.steps.length + 1);
    expect(s.steps.at(-1)).toMatchObject({ op: 'invalidate', desc: [0x37n, 0n, 0n, 0n] });
  });

  it.each<[string, readonly string[], Readonly<Record<string, string>>, RegExp]>([
    ['no LOG', ['import-trace'], {}, /import-trace needs a LOG file/],
    [
      'no base',
      ['import-trace', 'q.log'],
      {},
      /needs the scenario .*: --base FILE or --preset NAME/,
    ],
    [
      'a base that is no scenario',
      ['import-trace', 'q.log', '--base', 'b.json'],
      { 'q.log': '', 'b.json': '{"format": "pasidscope-scenario", "version": 1, "iommu": {}}' },
      /^pasidscope: b\.json: \$\.iommu\.rootTableAddr: required/,
    ],
    [
      'a log without descriptors',
      ['import-trace', 'q.log', '--preset', 'linux-boot'],
      { 'q.log': 'vtd_inv_qi_head read head 0\nhello\n' },
      /q\.log: no vtd_inv_desc events in 2 lines \(1 other trace events, 1 lines that are no trace event\); start QEMU with -trace 'vtd_inv_desc'/,
    ],
    [
      'a malformed vtd_inv_desc',
      ['import-trace', 'q.log', '--preset', 'linux-boot'],
      { 'q.log': 'vtd_inv_qi_head read head 0\nvtd_inv_desc invalidate desc type wait\n' },
      /^pasidscope: q\.log: line 2: a vtd_inv_desc event whose text is not/,
    ],
  ])('%s: exit 2, one line', async (_name, args, files, pattern) => {
    expectOneLineError(await cli(args, files), pattern);
  });
});

describe('pasidscope compare', () => {
  it('names the steps and cache entries where the variants part', async () => {
    const r = await cli(['compare', '--preset', 'torn-down-entry']);
    expect(r.code).toBe(EXIT_OK);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toBe(
      'seed vs series: the outcome of steps 0 and 2 differs; final caches: 1 entry differs',
    );
    expect(lines[2]).toBe('series vs series-fixed: no difference');
    expect(r.stdout).toMatch(
      /^step 2 {2}invalidate {2}pasid-cache PASID-selective, did 3, pasid 7/m,
    );
    expect(r.stdout).toMatch(/^ {2}series {8}processed; .*; - accel 00:02\.0 pasid 7 removed$/m);
    expect(r.stdout).toMatch(
      /^ {2}accel 00:02\.0 pasid 7 {2}-- present in some, absent in others$/m,
    );
    expect(r.stdout).toMatch(/^ {4}series-fixed {2}absent$/m);
  });

  it('a shift in the accel list caused by a missing entry is not reported as a position change', async () => {
    const r = await cli(['compare', '--preset', 'accel-pce-deleted-bypass']);
    expect(r.stdout).not.toMatch(/different place in the accel list/);
    expect(r.stdout).toMatch(/accel 00:02\.0 pasid 6 {2}-- present in some, absent in others/);
  });

  it('--json prints the comparison of the model', async () => {
    const r = await cli(['compare', '--preset', 'series-fallthrough', '--json']);
    const out = JSON.parse(r.stdout) as { pairs: { steps: number[] }[]; summary: string[] };
    const cmp = compareVariants(await preset('series-fallthrough'));
    expect(out.pairs.map((p) => p.steps)).toEqual(cmp.pairs.map((p) => p.steps));
    expect(out.summary[1]).toMatch(/^series vs series-fixed: the outcome of steps /);
  });

  it('says when nothing differs', async () => {
    const r = await cli(['compare', '--preset', 'te-off']);
    expect(r.stdout).toMatch(
      /All three variants agree on all 4 steps and on the final caches\.\n$/,
    );
  });

  it('refuses --variant (it runs all three)', async () => {
    expectOneLineError(
      await cli(['compare', '--preset', 'linux-boot', '--variant', 'seed']),
      /compare runs all three variants: --variant does not apply/,
    );
  });
});

describe('pasidscope dump', () => {
  it('prints what dmar_translation_struct would show after the last step', async () => {
    const r = await cli(['dump', '--preset', 'linux-boot']);
    expect(r).toEqual({
      code: EXIT_OK,
      stdout: await fixture('linux-boot.dmar_translation_struct.txt'),
      stderr: '',
    });
  });

  it('--step N shows the tables as step N sees them', async () => {
    // linux-boot makes nic0's context entry present at step 9; step 0 sees no context entry.
    const before = await cli(['dump', '--preset', 'linux-boot', '--step', '9']);
    const after = await cli(['dump', '--preset', 'linux-boot', '--step', '10']);
    expect(before.stdout.split('\n').filter((l) => l.startsWith('00:02.0'))).toEqual([]);
    expect(after.stdout.split('\n').filter((l) => l.startsWith('00:02.0'))).toHaveLength(1);
  });

  it.each<[string, readonly string[], RegExp]>([
    [
      'a step past the end',
      ['dump', '--preset', 'linux-boot', '--step', '30'],
      /--step must be a step index 0\.\.29/,
    ],
    [
      'a step that is no number',
      ['dump', '--preset', 'linux-boot', '--step', 'x'],
      /--step must be/,
    ],
    [
      '--step on another command',
      ['run', '--preset', 'linux-boot', '--step', '3'],
      /--step only applies to dump/,
    ],
    ['no scenario', ['dump'], /dump needs a FILE or --preset NAME/],
  ])('%s: exit 2, one line', async (_name, args, pattern) => {
    expectOneLineError(await cli(args), pattern);
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../model/index.ts';
import {
  MAIL_WIDTH,
  descriptorTypeCode,
  importKernelQiTrace,
  inlineScenarioFragment,
  parseScenarioText,
} from '../model/index.ts';
import { cli, expectOneLineError } from './cliTestHarness.ts';
import { EXIT_OK } from './main.ts';

const FIXTURES = fileURLToPath(new URL('../model/importers/__fixtures__/', import.meta.url));
const PRESETS = fileURLToPath(new URL('../../public/scenarios/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('./__golden__/', import.meta.url));
const fixture = (name: string): string => readFileSync(`${FIXTURES}${name}`, 'utf8');
const presetText = (name: string): string => readFileSync(`${PRESETS}${name}.json`, 'utf8');
const TRACES = [
  'realguest-sm-strict.qi_submit.trace',
  'realguest-sm-strict.qi_submit.trace-cmd-report.txt',
  'realguest-sm-strict.qi_submit.bare.txt',
] as const;

function loadText(text: string): Scenario {
  const r = parseScenarioText(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}
const base = loadText(presetText('realguest-sm-strict-final'));

function ok(text: string, options = {}) {
  const r = importKernelQiTrace(text, { scenario: base }, options);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe('importKernelQiTrace on the real guest capture, in three formats', () => {
  const results = TRACES.map((t) => ok(fixture(t)));

  it('reads the same descriptors from the raw file, trace-cmd report and bare lines', () => {
    const [raw, report, bare] = results.map((r) =>
      r.steps.map((s) => (s.op === 'invalidate' ? s.desc : s.op)),
    );
    expect(report).toEqual(raw);
    expect(bare).toEqual(raw);
    for (const r of results) {
      expect(r.unreadable).toEqual([]);
      expect(r.warnings).toEqual([]);
    }
  });

  it('imports the first unit it names and says which others there are', () => {
    const r = results[0];
    expect(r?.stats.iommu).toBe('dmar0');
    expect(r?.stats.units.map((u) => u.name)).toEqual(['dmar0', 'dmar1']);
    const dmar0 = fixture(TRACES[0])
      .split('\n')
      .filter((l) => l.includes(' dmar0: ')).length;
    expect(r?.stats.descriptors).toBe(dmar0);
    const one = ok(fixture(TRACES[0]), { iommu: 'dmar1' });
    expect(one.stats.descriptors).toBe(3);
    expect(one.steps.map((s) => (s.op === 'invalidate' ? s.desc[0] : 0n))).toEqual([
      0x11n,
      0x37n,
      0xd2n,
    ]);
  });

  it('adds no wait descriptor (the kernel does not trace the one it appends)', () => {
    for (const s of results[0]?.steps ?? []) {
      if (s.op === 'invalidate') expect(descriptorTypeCode(s.desc[0] ?? 0n)).not.toBe(5);
    }
  });

  it('notes the task, CPU and timestamp (none on bare lines), and the header is no problem', () => {
    const first = results[0]?.steps[0];
    expect(first?.note).toBe(
      'kernel qi_submit line 13: cc_inv dmar0, swapper/0-1 on CPU 0 at 0.741902 s',
    );
    expect(results[2]?.steps[0]?.note).toBe('kernel qi_submit line 1: cc_inv dmar0');
    expect(results[0]?.stats.headerLines).toBe(12);
  });

  it('appends to the base and keeps its steps', () => {
    const r = results[0];
    expect(r?.scenario.steps.length).toBe(base.steps.length + (r?.steps.length ?? 0));
  });
});

/** The fixture's descriptors of one unit, read with nothing but a regular expression. */
function tracedWords(text: string, unit = 'dmar0'): string[][] {
  const re = new RegExp(`qi_submit:\\s+\\S+ ${unit}: (0x\\S+) (0x\\S+) (0x\\S+) (0x\\S+)`);
  return text
    .split('\n')
    .map((l) => re.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m.slice(1, 5).map((w) => `0x${BigInt(w).toString(16).padStart(16, '0')}`));
}

describe('import-trace of a kernel qi_submit trace, then run', () => {
  it.each(TRACES)(
    '%s: the same steps and final caches as the descriptors appended by hand',
    async (name) => {
      const files = {
        'base.json': presetText('realguest-sm-strict-final'),
        'guest.trace': fixture(name),
      };
      const imported = await cli(['import-trace', 'guest.trace', '--base', 'base.json'], files);
      expect(imported.code).toBe(EXIT_OK);
      expect(imported.stderr).toMatch(/does not trace it: none was added/);
      expect(imported.stderr).toMatch(/skipped dmar1 \(3\): choose with --iommu/);
      const byHand = JSON.parse(files['base.json']) as { steps: unknown[] };
      byHand.steps.push(...tracedWords(fixture(name)).map((desc) => ({ op: 'invalidate', desc })));
      const run = (text: string) => cli(['run', 'x.json', '--json'], { 'x.json': text });
      const a = JSON.parse((await run(imported.stdout)).stdout) as {
        steps: unknown[];
        final: unknown;
      };
      const b = JSON.parse((await run(JSON.stringify(byHand))).stdout) as typeof a;
      expect(a.steps).toHaveLength(b.steps.length);
      expect(a.steps).toEqual(b.steps);
      expect(a.final).toEqual(b.final);
    },
  );

  it('--iommu dmar1 imports the second unit only', async () => {
    const r = await cli(
      ['import-trace', 't', '--preset', 'realguest-sm-strict-final', '--iommu', 'dmar1'],
      {
        t: fixture(TRACES[0]),
      },
    );
    expect(r.code).toBe(EXIT_OK);
    const out = loadText(r.stdout);
    expect(out.steps.length - base.steps.length).toBe(3);
  });

  it('a QEMU log without PASID-cache descriptors is told where they are', async () => {
    const log = '1@1.0:vtd_inv_desc invalidate desc type context-cache high 0x0 low 0x11\n';
    const r = await cli(['import-trace', 'q.log', '--preset', 'realguest-sm-strict-final'], {
      'q.log': log,
    });
    expect(r.code).toBe(EXIT_OK);
    expect(r.stderr).toMatch(
      /warning: q\.log: this log holds no PASID-cache descriptor.*qi_submit/,
    );
  });

  it.each<[string, string[], Record<string, string>, RegExp]>([
    [
      'a qi_submit line cut short',
      ['import-trace', 't', '--preset', 'linux-boot'],
      { t: 'qi_submit: pc_inv dmar0: 0x17 0x0\n' },
      /^pasidscope: t: line 1: a qi_submit event whose text/,
    ],
    [
      'an IOMMU the trace lacks',
      ['import-trace', 't', '--preset', 'linux-boot', '--iommu', 'dmar9'],
      { t: 'qi_submit: pc_inv dmar0: 0x17 0x0 0x0 0x0\n' },
      /"dmar9".*dmar0/,
    ],
    [
      '--iommu with a QEMU log',
      ['import-trace', 't', '--preset', 'linux-boot', '--iommu', 'dmar0'],
      { t: '1@1.0:vtd_inv_desc invalidate desc type wait high 0x0 low 0x25\n' },
      /--iommu applies to a kernel qi_submit trace/,
    ],
    [
      'report with --variant and --compare',
      ['report', '--preset', 'linux-boot', '--variant', 'seed', '--compare'],
      {},
      /give --variant or --compare/,
    ],
    [
      'report with a bad variant',
      ['report', '--preset', 'linux-boot', '--variant', 'x'],
      {},
      /--variant must be/,
    ],
    [
      'report of a broken file',
      ['report', 'b.json'],
      { 'b.json': '{"format": "pasidscope-scenario", "version": 1, "iommu": 3}' },
      /^pasidscope: b\.json: \$\.iommu/,
    ],
    [
      '--compare on another command',
      ['run', '--preset', 'linux-boot', '--compare'],
      {},
      /--compare only applies to report/,
    ],
  ])('bad input: %s', async (_what, args, files, pattern) => {
    expectOneLineError(await cli(args, files), pattern);
  });
});

describe('report: the run as plain text for a mail', () => {
  it.each([
    ['torn-down-entry', ['--compare']],
    ['linux-boot', []],
    ['realguest-sm-strict-timeline', ['--variant', 'series']],
  ])('%s %s matches its golden file, at most 72 columns', async (name, extra) => {
    const r = await cli(['report', '--preset', name, ...extra]);
    expect(r.code).toBe(EXIT_OK);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(MAIL_WIDTH);
    await expect(r.stdout).toMatchFileSnapshot(`${GOLDEN}report/${name}${extra.join('')}.txt`);
  });

  it('carries the scenario inline, and the block loads back as the same scenario', async () => {
    const r = await cli(['report', '--preset', 'torn-down-entry']);
    const quoted = r.stdout
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
    const fragment = inlineScenarioFragment(quoted);
    expect(fragment).toMatch(/^scenario=1\./);
    const exported = await cli(['export', '--preset', 'torn-down-entry']);
    const { default: LZString } = await import('lz-string');
    const text = LZString.decompressFromEncodedURIComponent(
      fragment?.slice('scenario=1.'.length) ?? '',
    );
    expect(JSON.parse(text)).toEqual(JSON.parse(exported.stdout));
  });

  it('never links to localhost', async () => {
    const r = await cli(['report', '--preset', 'linux-boot', '--compare']);
    expect(r.stdout).not.toMatch(/localhost|127\.0\.0\.1/);
  });
});

it('the fixture has no wait descriptor, as the kernel traces none', () => {
  for (const words of tracedWords(fixture(TRACES[0]))) {
    expect(descriptorTypeCode(BigInt(words[0] ?? '0'))).not.toBe(5);
  }
});

describe('export-trace --format perfetto: the run as Chrome trace-event JSON', () => {
  interface Ev {
    name: string;
    ph: string;
    ts: number;
    pid: number;
    tid?: number;
    dur?: number;
    id?: number;
    args?: Record<string, unknown>;
  }
  async function exported(args: string[]): Promise<Ev[]> {
    const r = await cli(['export-trace', ...args, '--format', 'perfetto']);
    expect(r.code).toBe(EXIT_OK);
    const parsed = JSON.parse(r.stdout) as { traceEvents: Ev[] };
    return parsed.traceEvents;
  }

  it('matches its golden file', async () => {
    const r = await cli(['export-trace', '--preset', 'torn-down-entry', '--format', 'perfetto']);
    await expect(r.stdout).toMatchFileSnapshot(
      `${GOLDEN}export-trace/torn-down-entry.perfetto.json`,
    );
  });

  it.each(['linux-boot', 'realguest-sm-strict-timeline', 'pasid0-two-caches', 'torn-down-entry'])(
    '%s: tracks per device and cache, slices with args, every cache change, counters, flows',
    async (name) => {
      const events = await exported(['--preset', name]);
      const scenario = loadText(presetText(name));
      const threads = new Map(
        events
          .filter((e) => e.name === 'thread_name')
          .map((e) => [`${e.pid}/${e.tid}`, String(e.args?.name)]),
      );
      for (const d of scenario.devices) {
        expect([...threads.values()]).toContain(`device ${d.bdf}`);
        expect([...threads.values()]).toContain(`emulated cache ${d.bdf}`);
        if (d.backend === 'iommufd')
          expect([...threads.values()]).toContain(`accel cache ${d.bdf}`);
      }
      // Every event sits on a named thread (or is a process-wide counter).
      for (const e of events.filter((x) => x.ph === 'X' || x.ph === 'i')) {
        expect(threads.has(`${e.pid}/${e.tid}`)).toBe(true);
        expect(Number.isFinite(e.ts)).toBe(true);
      }
      // One step slice per scenario step, in order, and QEMU function slices with args.
      const steps = events.filter((e) => e.ph === 'X' && e.tid === 1 && /^\d+\. /.test(e.name));
      expect(steps).toHaveLength(scenario.steps.length);
      const calls = events.filter((e) => e.ph === 'X' && !/^\d+\. /.test(e.name));
      expect(calls.length).toBeGreaterThan(0);
      for (const c of calls) {
        expect(c.name).toMatch(/^vtd_/);
        expect(c.args).toHaveProperty('outcome');
        expect(c.dur).toBeGreaterThan(0);
      }
      // Every cache change of the run, as an instant on its cache's track.
      const run = await cli(['run', '--preset', name, '--json']);
      const contract = JSON.parse(run.stdout) as {
        steps: { changes: { cache: string; bdf: string; pasid: number; kind: string }[] }[];
      };
      const expected = contract.steps.flatMap((s, k) =>
        s.changes.map((c) => `${k + 1} ${c.cache} ${c.bdf} ${c.pasid} ${c.kind}`),
      );
      const instants = events
        .filter((e) => e.ph === 'i')
        .map((e) => {
          const a = e.args ?? {};
          expect(threads.get(`${e.pid}/${e.tid}`)).toBe(
            `${String(a.cache)} cache ${String(a.device)}`,
          );
          return `${String(a.step)} ${String(a.cache)} ${String(a.device)} ${String(a.pasid)} ${String(a.change)}`;
        });
      expect(instants.sort()).toEqual(expected.sort());
      // Counters, one per step.
      expect(events.filter((e) => e.ph === 'C' && e.name.includes('running total'))).toHaveLength(
        scenario.steps.length,
      );
      // Each flow starts on the queue and ends inside a QEMU call slice on a device track.
      const starts = events.filter((e) => e.ph === 's');
      const ends = events.filter((e) => e.ph === 'f');
      expect(ends).toHaveLength(starts.length);
      for (const f of ends) {
        expect(starts.some((s) => s.id === f.id && s.tid === 1)).toBe(true);
        expect(calls.some((c) => c.tid === f.tid && c.ts === f.ts)).toBe(true);
      }
    },
  );

  it('draws arrows for a scenario whose descriptors reach a device', async () => {
    const events = await exported(['--preset', 'linux-boot']);
    expect(events.some((e) => e.ph === 'f')).toBe(true);
    expect(events.some((e) => e.ph === 'i')).toBe(true);
  });

  it.each<[string, string[], RegExp]>([
    ['no --format', ['export-trace', '--preset', 'linux-boot'], /needs --format perfetto/],
    [
      'an unknown format',
      ['export-trace', '--preset', 'linux-boot', '--format', 'ctf'],
      /--format must be perfetto; got "ctf"/,
    ],
    ['no file', ['export-trace', '--format', 'perfetto'], /needs a FILE or --preset/],
    [
      '--format elsewhere',
      ['run', '--preset', 'linux-boot', '--format', 'perfetto'],
      /--format only applies to export-trace/,
    ],
  ])('bad input: %s', async (_what, args, pattern) => {
    expectOneLineError(await cli(args), pattern);
  });
});

import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { importKernelQiTrace } from './importKernelQiTrace.ts';
import { KERNEL_DESC_TYPE_NAMES, readFtraceLine } from './qiSubmitLine.ts';

function load(raw: unknown): Scenario {
  const r = parseScenario(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

const base = load({
  format: 'pasidscope-scenario',
  version: 1,
  iommu: { rootTableAddr: '0x10000' },
  devices: [{ bdf: '00:02.0', backend: 'emulated' }],
  tables: {
    devices: [
      { bdf: '00:02.0', pasids: [{ pasid: 0, present: true, pgtt: 'pass-through', did: 1 }] },
    ],
  },
});

function ok(text: string, options = {}) {
  const r = importKernelQiTrace(text, { scenario: base }, options);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe('readFtraceLine: the three shapes a qi_submit trace comes in', () => {
  it.each([
    [
      'the raw trace file (flags column)',
      '       swapper/0-1       [000] d..1.     0.741902: qi_submit: cc_inv dmar0: 0x11 0x0 0x0 0x0',
      { task: 'swapper/0', pid: 1, cpu: 0, timestamp: '0.741902' },
    ],
    [
      'trace-cmd report (event name padded)',
      '   irq/24-pciehp-97    [001]    71.522400: qi_submit:            pc_inv dmar0: 0xc0017 0x0 0x0 0x0',
      { task: 'irq/24-pciehp', pid: 97, cpu: 1, timestamp: '71.522400' },
    ],
    [
      'the raw file with the tgid column',
      '            bash-402     (    402) [001] d..1.    38.204110: qi_submit: pc_inv dmar0: 0x40017 0x0 0x0 0x0',
      { task: 'bash', pid: 402, cpu: 1, timestamp: '38.204110' },
    ],
    ['a bare line', 'qi_submit: pc_inv dmar0: 0x10017 0x0 0x0 0x0', {}],
  ])('%s', (_what, line, prefix) => {
    const ev = readFtraceLine(line);
    expect(ev).toMatchObject({ event: 'qi_submit', ...prefix });
    expect(ev?.text.replace(/\s+/g, ' ')).toMatch(/^\S+ dmar0: 0x[0-9a-f]+ 0x0 0x0 0x0$/);
  });

  it('is not fooled by prose', () => {
    expect(readFtraceLine('Note: this is a comment')).toBeUndefined();
    expect(readFtraceLine('qi_submit_sync hangs here')).toBeUndefined();
  });
});

describe('importKernelQiTrace: what it says and what it refuses', () => {
  it('names a qi_submit line it cannot read (an error: a lost descriptor would falsify the replay)', () => {
    const r = importKernelQiTrace(
      'qi_submit: pc_inv dmar0: 0x17 0x0 0x0 0x0\nqi_submit: pc_inv dmar0: 0x17 0x0\n',
      { scenario: base },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ line: 2 });
  });

  it('lists lines that are no event, counts other events, warns about lost events', () => {
    const r = ok(
      [
        '# tracer: nop',
        'hello there',
        '          <idle>-0       [001] d.s2.     3.100000: irq_handler_entry: irq=24 name=pciehp',
        'CPU:1 [LOST 17 EVENTS]',
        'qi_submit: pc_inv dmar0: 0x10017 0x0 0x0 0x0',
      ].join('\n'),
    );
    expect(r.unreadable).toEqual([{ line: 2, message: 'not a trace event: "hello there"' }]);
    expect(r.stats.otherEvents).toEqual({ irq_handler_entry: 1 });
    expect(r.stats.lostEvents).toBe(17);
    expect(r.warnings[0]).toMatchObject({ line: 4 });
  });

  it('warns when the printed type and qw0 disagree, and takes a number for a type', () => {
    const r = ok(
      'qi_submit: pc_inv dmar0: 0x11 0x0 0x0 0x0\nqi_submit: 0x7 dmar0: 0x17 0x0 0x0 0x0\n',
    );
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ line: 1 });
    expect(r.steps).toHaveLength(2);
  });

  it('refuses an --iommu the trace does not have, naming those it has', () => {
    const two =
      'qi_submit: pc_inv dmar0: 0x17 0x0 0x0 0x0\nqi_submit: cc_inv dmar1: 0x11 0x0 0x0 0x0';
    const r = importKernelQiTrace(two, { scenario: base }, { iommu: 'dmar7' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toMatch(/"dmar7".*dmar0, dmar1/);
  });

  it('says why a trace without pc_inv changes no PASID cache', () => {
    expect(ok('qi_submit: cc_inv dmar0: 0x11 0x0 0x0 0x0').stats.missingPasidCache).toMatch(
      /no pc_inv/,
    );
    expect(ok('qi_submit: pc_inv dmar0: 0x37 0x0 0x0 0x0').stats.missingPasidCache).toBeUndefined();
  });

  it('reports a bad base file by its JSON path', () => {
    const r = importKernelQiTrace('qi_submit: pc_inv dmar0: 0x17 0x0 0x0 0x0', {
      file: { format: 'x' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.baseErrors?.length).toBeGreaterThan(0);
  });
});

const word = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

propTest.prop([
  fc.array(fc.tuple(word, word, word, word, fc.constantFrom('dmar0', 'dmar1')), {
    minLength: 1,
    maxLength: 20,
  }),
  fc.constantFrom('raw', 'report', 'bare'),
])('every descriptor the kernel would print comes back with its four words', (descs, shape) => {
  const lines = descs.map(([q0, q1, q2, q3, unit], i) => {
    const low = q0 & 0xfn;
    const type = KERNEL_DESC_TYPE_NAMES[Number(low)] ?? `0x${low.toString(16)}`;
    const body = `qi_submit: ${type} ${unit}: ${[q0, q1, q2, q3].map((w) => `0x${w.toString(16)}`).join(' ')}`;
    const ts = (i / 1000).toFixed(6);
    if (shape === 'raw') return `     kworker/0:1-12      [000] d..1. ${ts.padStart(12)}: ${body}`;
    if (shape === 'report')
      return `     kworker/0:1-12    [000] ${ts.padStart(12)}: ${body.replace('qi_submit:', 'qi_submit:          ')}`;
    return body;
  });
  const chosen = descs[0]?.[4] ?? 'dmar0';
  const r = importKernelQiTrace(lines.join('\n'), { scenario: base });
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  const got = r.steps
    .filter((s) => s.op === 'invalidate')
    .map((s) => (s.op === 'invalidate' ? [...s.desc] : []));
  expect(got).toEqual(descs.filter((d) => d[4] === chosen).map((d) => d.slice(0, 4)));
});

import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run/runScenario.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { walkDmarTranslation } from './dmarTranslationStruct.ts';
import { appendQemuTraceToFile, importQemuTraceLog, readTraceLine } from './importQemuTraceLog.ts';

const baseFile = {
  format: 'pasidscope-scenario',
  version: 1,
  iommu: { rootTableAddr: '0x10000' },
  devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20 }],
  tables: {
    devices: [
      {
        bdf: '00:02.0',
        pasids: [
          { pasid: 0, present: true, pgtt: 'pass-through', did: 1 },
          { pasid: 9, present: true, pgtt: 'first-stage', did: 4, fsptptr: '0x5000000' },
        ],
      },
    ],
  },
};

function load(raw: unknown): Scenario {
  const r = parseScenario(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

function ok(text: string, base?: Scenario) {
  const r = importQemuTraceLog(text, base);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe('readTraceLine: the event name after whatever prefix the log backend wrote', () => {
  it.each<[string, string, string, string]>([
    [
      'old "PID@SEC.USEC:" prefix, glued to the name',
      '4242@1718000000.123456:vtd_inv_desc invalidate desc type wait high 0x7000 low 0x200000025',
      'vtd_inv_desc',
      '4242@1718000000.123456',
    ],
    [
      'an ISO-8601 timestamp',
      '2026-05-31T09:12:44.301877Z vtd_inv_qi_head read head 3',
      'vtd_inv_qi_head',
      '2026-05-31T09:12:44.301877Z',
    ],
    [
      'a timestamp and a pid',
      '2026-05-31T09:12:44.301877Z 4242@1718000000.123456: vtd_inv_desc_pasid_cache_gsi',
      'vtd_inv_desc_pasid_cache_gsi',
      '2026-05-31T09:12:44.301877Z 4242@1718000000.123456:',
    ],
    ['no prefix (-msg timestamp=off)', 'vtd_inv_qi_tail write tail 12', 'vtd_inv_qi_tail', ''],
  ])('%s', (_name, line, name, prefix) => {
    expect(readTraceLine(line)).toMatchObject({ name, prefix });
  });

  it('keeps the event text intact (type strings may contain spaces)', () => {
    expect(
      readTraceLine('vtd_inv_desc invalidate desc type page group response high 0x0 low 0x9')?.args,
    ).toBe('invalidate desc type page group response high 0x0 low 0x9');
  });

  it.each([
    'qemu-system-x86_64: vtd_process_pasid_desc: 256-bit pasid cache inv desc in 128-bit invalidation queue',
    'Booting from ROM...',
    'VNC server running on ::1:5900',
    '',
  ])('is no trace event: %j', (line) => {
    expect(readTraceLine(line)).toBeUndefined();
  });
});

const LOG = [
  "qemu-system-x86_64: warning: host doesn't support requested feature",
  '3113@1764080416.302155:vtd_inv_qi_tail write tail 2',
  '3113@1764080416.302192:vtd_inv_qi_head read head 0',
  '3113@1764080416.302229:vtd_inv_desc invalidate desc type pasid-cache high 0x0 low 0x900040017',
  '3113@1764080416.302266:vtd_inv_desc_pasid_cache_psi PASID selective PC invalidation domain 0x4 pasid 0x9',
  '3113@1764080416.302303:vtd_inv_qi_head read head 1',
  '3113@1764080416.302340:vtd_inv_desc invalidate desc type wait high 0x7000 low 0x200000025',
  '3113@1764080416.302377:vtd_inv_desc_wait_sw wait invalidate status write addr 0x7000 data 0x2',
  '',
].join('\n');

describe('importQemuTraceLog', () => {
  it('turns each vtd_inv_desc into an invalidate step: lo = val[0], hi = val[1], val[2..3] zero', () => {
    const r = ok(LOG);
    expect(r.steps).toEqual([
      {
        op: 'invalidate',
        desc: [0x900040017n, 0n, 0n, 0n],
        note: 'QEMU trace line 4, 3113@1764080416.302229: pasid-cache',
      },
      {
        op: 'invalidate',
        desc: [0x200000025n, 0x7000n, 0n, 0n],
        note: 'QEMU trace line 7, 3113@1764080416.302340: wait',
      },
    ]);
    expect(r.scenario).toBeUndefined();
  });

  it('counts the other events by name and lists the lines that are no trace event', () => {
    const r = ok(LOG);
    expect(r.stats).toEqual({
      descriptors: 2,
      otherEvents: {
        vtd_inv_qi_tail: 1,
        vtd_inv_qi_head: 2,
        vtd_inv_desc_pasid_cache_psi: 1,
        vtd_inv_desc_wait_sw: 1,
      },
      otherEventCount: 5,
      clearIqeInserted: 0,
    });
    expect(r.unreadable).toEqual([
      {
        line: 1,
        message: expect.stringMatching(/^not a trace event: "qemu-system-x86_64/) as unknown,
      },
    ]);
  });

  it('appends to a base scenario, which then runs the descriptors', () => {
    const base = load({ ...baseFile, steps: [{ op: 'invalidate', granularity: 'global' }] });
    const r = ok(LOG, base);
    expect(r.scenario?.steps.slice(0, 1)).toEqual(base.steps);
    expect(r.scenario?.steps.slice(1)).toEqual(r.steps);
    const run = runScenario(r.scenario!);
    expect(run.steps.map((s) => s.status)).toEqual(['processed', 'processed', 'processed']);
    expect(run.steps[1]?.pcInfo).toEqual({ type: 1, did: 4, pasid: 9 });
  });

  it('a vtd_inv_desc line it cannot read is an error with its line number', () => {
    const bad = LOG.replace('high 0x0 low 0x900040017', 'high 0x0 low 0xnope');
    expect(importQemuTraceLog(bad)).toEqual({
      ok: false,
      errors: [
        {
          line: 4,
          message: expect.stringMatching(/^a vtd_inv_desc event whose text is not/) as unknown,
        },
      ],
    });
  });

  it('warns when the type string and the low word disagree, and imports the words', () => {
    const r = ok('vtd_inv_desc invalidate desc type iotlb high 0x0 low 0x37\n');
    expect(r.steps[0]).toMatchObject({ desc: [0x37n, 0n, 0n, 0n] });
    expect(r.warnings).toEqual([
      {
        line: 1,
        message: expect.stringMatching(
          /says type "iotlb" but the low word 0x37 encodes type 7 \("pasid-cache"\)/,
        ) as unknown,
      },
    ]);
  });

  it('adds clearIqe after a descriptor the base QEMU rejects when the log shows it processing more', () => {
    // A 128-bit queue rejects every PASID-cache descriptor; the log's next one still ran in QEMU.
    const narrow = load({ ...baseFile, iommu: { rootTableAddr: '0x10000', queueWidth: 128 } });
    const r = ok(LOG, narrow);
    expect(r.steps.map((s) => s.op)).toEqual(['invalidate', 'clearIqe', 'invalidate']);
    expect(r.stats.clearIqeInserted).toBe(1);
    const run = runScenario(r.scenario!);
    expect(run.steps.map((s) => s.status)).toEqual(['rejected', 'applied', 'processed']);
    // Nothing follows the last descriptor: no clearIqe after it.
    const last = ok(LOG.split('\n').slice(0, 5).join('\n'), narrow);
    expect(last.steps.map((s) => s.op)).toEqual(['invalidate']);
  });

  propTest.prop([fc.string({ maxLength: 300 })])('never throws on arbitrary text', (text) => {
    expect(typeof importQemuTraceLog(`vtd_inv_desc ${text}\n${text}`).ok).toBe('boolean');
  });
});

describe('status writes that would land on the base structures', () => {
  /** The page the resolver gave 00:02.0's first PASID table in the base. */
  function tablePage(s: Scenario): bigint {
    const page = walkDmarTranslation(s).pages.find((p) => p.what.startsWith('the PASID table'));
    if (!page) throw new Error('no PASID table');
    return page.addr;
  }
  const waitTo = (addr: bigint): string =>
    `vtd_inv_desc invalidate desc type wait high 0x${addr.toString(16)} low 0x200000025\n`;

  it('importQemuTraceLog warns with the line; the replay really changes the structure', () => {
    const base = load(baseFile);
    const page = tablePage(base);
    const r = ok(`vtd_inv_qi_head read head 0\n${waitTo(page + 0x240n)}`, base);
    expect(r.warnings).toEqual([
      {
        line: 2,
        message: `this wait descriptor writes its status to 0x${(page + 0x240n).toString(16)}, inside the PASID table of 00:02.0 for PASIDs 0x0-0x3f in the base scenario: the replay will change that structure`,
      },
    ]);
    // 0x240 = PASID 9's entry: the status write (data 2) clears its present bit.
    expect(walkDmarTranslation(r.scenario!).rows.map((x) => x.pasid)).toEqual([0]);
  });

  it('appendQemuTraceToFile keeps the authoring form, so the tables move off the status page', () => {
    const page = tablePage(load(baseFile));
    const r = appendQemuTraceToFile(waitTo(page + 0x240n), baseFile);
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.warnings).toEqual([]);
    expect(r.fileWarnings).toEqual([]);
    expect(r.file).toMatchObject({ tables: baseFile.tables });
    expect((r.file.steps as unknown[]).length).toBe(1);
    expect(tablePage(r.scenario)).not.toBe(page);
    expect(walkDmarTranslation(r.scenario).rows.map((x) => x.pasid)).toEqual([0, 9]);
  });

  it('appendQemuTraceToFile reports a base that is no scenario by JSON path', () => {
    const r = appendQemuTraceToFile(LOG, { ...baseFile, iommu: {} });
    expect(r).toMatchObject({
      ok: false,
      errors: [],
      baseErrors: [{ path: '$.iommu.rootTableAddr' }],
    });
  });
});

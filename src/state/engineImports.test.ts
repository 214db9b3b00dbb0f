// The engine calls behind Import (debugfs dumps, QEMU trace logs), Compare variants and the debugfs
// view, through the in-process engine (the worker's API object) and through the worker protocol
// itself (Comlink over a MessageChannel, so every answer survives structured cloning).

import { describe, expect, it } from 'vitest';
import {
  VARIANTS,
  compareVariants,
  describeComparison,
  parseScenarioText,
  runScenario,
  type CacheEntryDifference,
  type CacheEntryState,
  type Scenario,
  type Variant,
} from '../model/index.ts';
import { pairEntryAspects, shapeComparison } from '../worker/comparisonView.ts';
import { PROTOCOL_VERSION } from '../worker/protocol.ts';
import { createSimulationApi } from '../worker/simulationApi.ts';
import { createWorkerEngine } from './engine.ts';
import { ChannelWorker } from './testing/channelWorker.ts';
import { detectImportKind } from './importKind.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';
import { fixtureText } from './testing/fixtures.ts';

const fixtures = import.meta.glob<string>('../model/importers/__fixtures__/*', {
  query: '?raw',
  import: 'default',
  eager: true,
});
function fixture(name: string): string {
  const hit = Object.entries(fixtures).find(([path]) => path.endsWith(`/${name}`));
  if (!hit) throw new Error(`no fixture ${name}`);
  return hit[1];
}
const LINUX_BOOT_DUMP = fixture('linux-boot.dmar_translation_struct.txt');
const LINUX_BOOT_LOG = fixture('linux-boot.qemu-trace.log');
const REALGUEST_DUMP = fixture('realguest-sm-strict.dmar_translation_struct.txt');

const presetFiles = import.meta.glob<string>('../../public/scenarios/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const presets: [string, Scenario][] = Object.entries(presetFiles)
  .filter(([path]) => !path.endsWith('index.json'))
  .map(([path, text]) => {
    const parsed = parseScenarioText(text);
    if (!parsed.ok) throw new Error(`${path}: ${JSON.stringify(parsed.errors)}`);
    return [path.replace(/^.*\//, '').replace(/\.json$/, ''), parsed.scenario];
  });
function preset(name: string): Scenario {
  const hit = presets.find(([n]) => n === name);
  if (!hit) throw new Error(`no preset ${name}`);
  return hit[1];
}

/** A line of the dump with one column broken. */
function breakLine(text: string, lineNo: number, from: string, to: string): string {
  const lines = text.split('\n');
  lines[lineNo - 1] = (lines[lineNo - 1] ?? '').replace(from, to);
  return lines.join('\n');
}

describe('detectImportKind', () => {
  it('tells the three kinds apart by content', () => {
    expect(detectImportKind(LINUX_BOOT_DUMP)).toBe('debugfs');
    expect(detectImportKind(REALGUEST_DUMP)).toBe('debugfs');
    expect(detectImportKind(LINUX_BOOT_LOG)).toBe('qemu-trace');
    expect(detectImportKind(fixtureText)).toBe('scenario');
    expect(detectImportKind(`\n  ${fixtureText}`)).toBe('scenario');
  });

  it('reads CRLF files, a dump of a host with remapping off, and refuses plain text', () => {
    expect(detectImportKind(LINUX_BOOT_DUMP.replace(/\n/g, '\r\n'))).toBe('debugfs');
    expect(detectImportKind('DMA Remapping is not enabled on dmar1\n')).toBe('debugfs');
    expect(detectImportKind('hello world\nthis is not a log\n')).toBeUndefined();
    expect(detectImportKind('')).toBeUndefined();
    // One identifier-like line is not a log; a vtd_ event is.
    expect(detectImportKind('some_word\n')).toBeUndefined();
    expect(detectImportKind('vtd_inv_desc invalidate desc type wait high 0x0 low 0x25\n')).toBe(
      'qemu-trace',
    );
  });
});

describe('importDebugfs', () => {
  it('imports the linux-boot dump with the chosen backend; running it fills the accel caches', async () => {
    const engine = createInProcessEngine();
    const r = await engine.importDebugfs({
      text: LINUX_BOOT_DUMP,
      options: { backend: 'iommufd' },
    });
    if (!r.ok) throw new Error(r.error.message);
    const { scenario, report } = r.value;
    expect(report.kind).toBe('debugfs');
    if (report.kind !== 'debugfs') return;
    // The dump has 4 rows over 3 devices.
    expect(report.summary).toMatchObject({ devices: 3, pasidEntries: 4, iommuName: 'dmar0' });
    expect(report.iommus).toEqual(['dmar0']);
    expect(scenario.devices.map((d) => [d.bdf, d.backend])).toEqual([
      ['00:02.0', 'iommufd'],
      ['00:03.0', 'iommufd'],
      ['00:04.0', 'iommufd'],
    ]);
    expect(r.value.file).toBeDefined();
    const run = await engine.run({ scenario });
    if (!run.ok) throw new Error(run.error.message);
    const final = run.value.result.final.accel;
    expect((final['00:02.0'] ?? []).map((e) => e.pasid).sort()).toEqual([0, 1]);
    expect((final['00:03.0'] ?? []).map((e) => e.pasid)).toEqual([0]);
  });

  it('passes fsts and the variant through', async () => {
    const engine = createInProcessEngine();
    const r = await engine.importDebugfs({
      text: LINUX_BOOT_DUMP,
      options: {
        backend: 'emulated',
        fsts: false,
        variant: 'series',
      },
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.scenario.iommu.fsts).toBe(false);
    expect(r.value.scenario.variant).toBe('series');
    expect(r.value.report.kind === 'debugfs' && r.value.report.fstsChosen).toBe(true);
  });

  it('refuses a malformed dump with the line at fault', async () => {
    const engine = createInProcessEngine();
    const broken = breakLine(LINUX_BOOT_DUMP, 3, '0x0000000000008e09', 'zz');
    const r = await engine.importDebugfs({ text: broken });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('invalid-import');
    expect(r.error.lines?.[0]?.line).toBe(3);
    expect(r.error.message).toMatch(/line 3: column 3 \(context entry\)/);
  });
});

describe('importQemuTrace', () => {
  it('appends every vtd_inv_desc of the log; with the authoring form, tables move clear of status writes', async () => {
    const engine = createInProcessEngine();
    const dump = await engine.importDebugfs({
      text: LINUX_BOOT_DUMP,
      options: { backend: 'iommufd' },
    });
    if (!dump.ok) throw new Error(dump.error.message);
    const base = dump.value.scenario;
    const descriptorLines = LINUX_BOOT_LOG.split('\n').filter((l) =>
      /vtd_inv_desc invalidate desc/.test(l),
    ).length;

    const viaFile = await engine.importQemuTrace({
      text: LINUX_BOOT_LOG,
      base,
      ...(dump.value.file ? { baseFile: dump.value.file } : {}),
    });
    if (!viaFile.ok) throw new Error(viaFile.error.message);
    const report = viaFile.value.report;
    if (report.kind !== 'qemu-trace') throw new Error('kind');
    expect(report.first).toBe(base.steps.length);
    expect(report.count).toBe(descriptorLines);
    expect(report.authoringForm).toBe(true);
    expect(viaFile.value.scenario.steps).toHaveLength(base.steps.length + descriptorLines);
    // The log's first line is QEMU's own warning, not a trace event.
    expect(report.unreadable.map((u) => u.line)).toEqual([1]);
    expect(viaFile.value.warnings).toEqual([]);

    // Without it, the same steps, and the status writes that now land on a PASID table are named.
    const loaded = await engine.importQemuTrace({ text: LINUX_BOOT_LOG, base });
    if (!loaded.ok) throw new Error(loaded.error.message);
    expect(loaded.value.report.kind === 'qemu-trace' && loaded.value.report.authoringForm).toBe(
      false,
    );
    expect(loaded.value.scenario.steps.slice(base.steps.length)).toEqual(
      viaFile.value.scenario.steps.slice(base.steps.length),
    );
    expect(loaded.value.warnings.length).toBeGreaterThan(0);
    expect(loaded.value.warnings[0]?.message).toMatch(/wait descriptor writes its status/);
  });

  it('refuses a log without descriptors, and an unreadable vtd_inv_desc line with its number', async () => {
    const engine = createInProcessEngine();
    const base = preset('linux-boot');
    const none = await engine.importQemuTrace({
      text: '123@1.5:vtd_inv_qi_head head 1\n123@1.6:vtd_inv_qi_tail write tail 2\n',
      base,
    });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error.message).toMatch(/No vtd_inv_desc event in 2 lines/);

    const bad = await engine.importQemuTrace({
      text: 'x\n123@1.5:vtd_inv_desc invalidate desc type wait high 0xZZ low 0x25\n',
      base,
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.kind).toBe('invalid-import');
      expect(bad.error.lines?.[0]?.line).toBe(2);
    }
  });
});

describe('debugfsDump', () => {
  it('prints what the linux-boot guest prints (the fixture captured for it)', async () => {
    const engine = createInProcessEngine();
    const r = await engine.debugfsDump({ scenario: preset('linux-boot') });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.text).toBe(LINUX_BOOT_DUMP);
    expect(r.value.rows).toBe(LINUX_BOOT_DUMP.split('\n').filter((l) => /^\d\d:/.test(l)).length);
    expect(r.value.step).toBe(preset('linux-boot').steps.length);
    expect(r.value.pages.some((p) => p.what === 'the root table')).toBe(true);
  });

  it('a dump re-imported gives the same dump again', async () => {
    const engine = createInProcessEngine();
    const imported = await engine.importDebugfs({
      text: REALGUEST_DUMP,
      options: { backend: 'iommufd' },
    });
    if (!imported.ok) throw new Error(imported.error.message);
    const again = await engine.debugfsDump({ scenario: imported.value.scenario });
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.text).toBe(REALGUEST_DUMP);
  });

  it('shows the tables before a given step, clamped to the scenario', async () => {
    const engine = createInProcessEngine();
    const torn = preset('torn-down-entry');
    const before = await engine.debugfsDump({ scenario: torn, step: 0 });
    const after = await engine.debugfsDump({ scenario: torn, step: 999 });
    if (!before.ok || !after.ok) throw new Error('dump');
    expect(after.value.step).toBe(torn.steps.length);
    // The preset tears an entry down on the way: the first tables have a row more.
    expect(before.value.rows).toBeGreaterThan(after.value.rows);
  });
});

describe('compareVariants for the app', () => {
  it.each(presets)('%s: per-pair detail agrees with the model', async (_name, scenario) => {
    const engine = createInProcessEngine();
    const r = await engine.compareVariants({ scenario });
    if (!r.ok) throw new Error(r.error.message);
    const app = r.value;
    const model = compareVariants(scenario);
    expect(app.identical).toBe(model.identical);
    expect(app.pairs.map((p) => [p.from, p.to])).toEqual(model.pairs.map((p) => [p.from, p.to]));
    app.pairs.forEach((p, k) => {
      const m = model.pairs[k];
      if (!m) throw new Error('pair');
      // Steps listed for a pair are exactly the model's, and each has a reason.
      expect(p.steps.map((s) => s.index)).toEqual(m.steps);
      for (const s of p.steps) expect(s.aspects.length).toBeGreaterThan(0);
      // As many entries differ for the pair as the model counts.
      expect(p.entries.length).toBe(m.finalEntries);
      expect(p.entryCount).toBe(m.finalEntries);
      expect(p.iqeDiffers).toBe(m.iqeDiffers);
    });
    // Every outcome caps its changes but keeps their number.
    for (const s of app.steps) {
      for (const v of VARIANTS) {
        const o = s.outcomes[v];
        expect(o.changeCount).toBe(
          model.steps.find((x) => x.index === s.index)?.outcomes[v].changes.length,
        );
      }
    }
  });

  it('torn-down-entry: the PASID-selective step after the teardown differs between seed and series', async () => {
    const engine = createInProcessEngine();
    const scenario = preset('torn-down-entry');
    const r = await engine.compareVariants({ scenario });
    if (!r.ok) throw new Error(r.error.message);
    const app = r.value;
    expect(app.identical).toBe(false);
    const patch = app.pairs.find((p) => p.from === 'seed' && p.to === 'series');
    // Step 0 differs on the host only (the seed binds PASID 0, the series every accel entry).
    expect(patch?.steps[0]?.aspects).toEqual(['hostOps']);
    const step = patch?.steps[1];
    if (!step) throw new Error('no differing step');
    // The step is a PASID-selective PASID-cache invalidation (granularity 1, type 7).
    const desc = scenario.steps[step.index];
    expect(desc?.op).toBe('invalidate');
    if (desc?.op === 'invalidate') {
      expect(Number((desc.desc[0] ?? 0n) & 0xfn)).toBe(7);
      expect(Number(((desc.desc[0] ?? 0n) >> 4n) & 3n)).toBe(1);
    }
    expect(step.aspects).toContain('changes');
    // The seed keeps the torn-down entry, the series removes it (semantics of the two variants).
    const shown = app.steps.find((s) => s.index === step.index);
    expect(shown?.outcomes.seed.changes).toEqual([]);
    expect(shown?.outcomes.series.changes.map((c) => c.kind)).toEqual(['removed']);
    // The review lines number steps as the app does (from 1), and otherwise are the model's.
    const modelLines = describeComparison(compareVariants(scenario));
    expect(app.summary[0]).toBe(modelLines[0]?.replace('steps 0 and 2', 'steps 1 and 3'));
    expect(app.summary[0]).toContain(`and ${step.index + 1} differs`);
  });

  it('a scenario QEMU refuses is refused with the reason, not compared', async () => {
    const engine = createInProcessEngine();
    const bad: Scenario = {
      ...preset('linux-boot'),
      devices: [{ ...(preset('linux-boot').devices[0] ?? { bdf: 'x' }), bdf: 'zz' } as never],
    };
    const r = await engine.compareVariants({ scenario: bad });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('invalid-scenario');
  });
});

describe('pairEntryAspects', () => {
  const words = (did: number): bigint[] => [0x49n, BigInt(did), 0x100000n, 0n, 0n, 0n, 0n, 0n];
  const at = (position: number, did = 1): CacheEntryState => ({
    present: true,
    valid: true,
    entry: words(did),
    position,
  });
  const absent: CacheEntryState = { present: false };
  const entry = (
    pasid: number,
    states: Record<Variant, CacheEntryState>,
  ): CacheEntryDifference => ({
    cache: 'accel',
    bdf: '00:02.0',
    pasid,
    aspects: ['presence'],
    states,
  });

  it('a shift because another entry is missing is no change of place; a swap is', () => {
    // seed: [1, 2, 3]; series: [2, 3] (1 removed); series-fixed: [3, 2].
    const entries = [
      entry(1, { seed: at(0), series: absent, 'series-fixed': absent }),
      entry(2, { seed: at(1), series: at(0), 'series-fixed': at(1) }),
      entry(3, { seed: at(2), series: at(1), 'series-fixed': at(0) }),
    ];
    expect(pairEntryAspects(entries, 'seed', 'series')).toEqual([['presence'], [], []]);
    expect(pairEntryAspects(entries, 'series', 'series-fixed')).toEqual([
      [],
      ['position'],
      ['position'],
    ]);
    expect(pairEntryAspects(entries, 'seed', 'series-fixed')).toEqual([
      ['presence'],
      ['position'],
      ['position'],
    ]);
  });

  it('words and place are reported together', () => {
    const entries = [entry(5, { seed: at(0, 3), series: at(0, 4), 'series-fixed': at(0, 3) })];
    expect(pairEntryAspects(entries, 'seed', 'series')).toEqual([['words']]);
    expect(pairEntryAspects(entries, 'seed', 'series-fixed')).toEqual([[]]);
  });

  it.each(presets)(
    '%s: "position" per pair matches the accel lists of three real runs',
    (_n, scenario) => {
      const accelOf = (v: Variant) => runScenario(scenario, { variant: v }).final.accel;
      const finals: Record<Variant, ReturnType<typeof accelOf>> = {
        seed: accelOf('seed'),
        series: accelOf('series'),
        'series-fixed': accelOf('series-fixed'),
      };
      // Independently: rank among the PASIDs both lists hold.
      const moved = (a: Variant, b: Variant): string[] => {
        const out: string[] = [];
        for (const bdf of Object.keys({ ...finals[a], ...finals[b] })) {
          const la = (finals[a][bdf] ?? []).map((e) => e.pasid);
          const lb = (finals[b][bdf] ?? []).map((e) => e.pasid);
          const common = (l: number[], other: number[]): number[] =>
            l.filter((p) => other.includes(p));
          const ca = common(la, lb);
          const cb = common(lb, la);
          ca.forEach((p, i) => {
            if (cb[i] !== p) out.push(`${bdf} ${p}`);
          });
        }
        return out.sort();
      };
      const cmp = compareVariants(scenario);
      const shaped = shapeComparison(cmp);
      for (const pair of shaped.pairs) {
        const got = pair.entries
          .filter((e) => e.aspects.includes('position'))
          .map((e) => {
            const d = shaped.entries[e.at];
            return `${d?.bdf ?? ''} ${d?.pasid ?? -1}`;
          })
          .sort();
        expect(got).toEqual(moved(pair.from, pair.to));
      }
    },
  );
});

// ---- through the worker protocol --------------------------------------------------------------

describe('the new calls over the worker protocol', () => {
  it('speaks protocol 4 or later and answers every new call with cloneable data', async () => {
    expect(PROTOCOL_VERSION).toBeGreaterThanOrEqual(4);
    const workers: ChannelWorker[] = [];
    const engine = createWorkerEngine({
      createWorker: () => {
        const w = new ChannelWorker(createSimulationApi());
        workers.push(w);
        return w;
      },
    });
    try {
      const dump = await engine.importDebugfs({
        text: LINUX_BOOT_DUMP,
        options: { backend: 'iommufd' },
      });
      if (!dump.ok) throw new Error(dump.error.message);
      expect(typeof dump.value.scenario.iommu.rootTableAddr).toBe('bigint');
      const trace = await engine.importQemuTrace({
        text: LINUX_BOOT_LOG,
        base: dump.value.scenario,
        ...(dump.value.file ? { baseFile: dump.value.file } : {}),
      });
      expect(trace.ok).toBe(true);
      const cmp = await engine.compareVariants({ scenario: preset('torn-down-entry') });
      if (!cmp.ok) throw new Error(cmp.error.message);
      expect(cmp.value.identical).toBe(false);
      const text = await engine.debugfsDump({ scenario: preset('linux-boot') });
      expect(text.ok && text.value.text).toBe(LINUX_BOOT_DUMP);
      const bad = await engine.importDebugfs({
        text: 'IOMMU dmar0: Root Table Address: 0x1000\nnonsense\n',
      });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.lines?.[0]?.line).toBe(2);
    } finally {
      engine.dispose();
      for (const w of workers) w.terminate();
    }
  });
});

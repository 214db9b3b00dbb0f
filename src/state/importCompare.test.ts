// The store's import, comparison and debugfs actions with the in-process engine: what replaces the
// scenario (and is undoable), what never touches it, and how the walk view is moved to a step.

import { describe, expect, it } from 'vitest';
import { createInProcessEngine } from './testing/inProcessEngine.ts';
import { createAppStore, type AppStore } from './store.ts';
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
const DUMP = fixture('linux-boot.dmar_translation_struct.txt');
const LOG = fixture('linux-boot.qemu-trace.log');

const presetFiles = import.meta.glob<string>('../../public/scenarios/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const fetchText = (path: string): Promise<string> => {
  const name = path.replace(/^.*\//, '');
  const hit = Object.entries(presetFiles).find(([p]) => p.endsWith(`/${name}`));
  return hit ? Promise.resolve(hit[1]) : Promise.reject(new Error(`${path}: not found`));
};

async function storeWith(preset?: string): Promise<AppStore> {
  const store = createAppStore({ engine: createInProcessEngine(), fetchText });
  if (preset) expect(await store.getState().loadPreset(preset)).toBe(true);
  else expect(await store.getState().importScenarioText(fixtureText, 'fixture.json')).toBe(true);
  await store.idle();
  store.temporal.getState().clear();
  return store;
}

describe('importing a debugfs dump', () => {
  it('replaces the scenario (undoable), says what it guessed, and runs it', async () => {
    const store = await storeWith();
    const before = store.getState().scenario;
    const ok = await store.getState().importText({
      text: DUMP,
      name: 'dmar.txt',
      kind: 'debugfs',
      debugfs: { backend: 'iommufd' },
    });
    expect(ok).toBe(true);
    await store.idle();
    const s = store.getState();
    expect(s.scenario).not.toBe(before);
    expect(s.scenario.devices.map((d) => d.backend)).toEqual(['iommufd', 'iommufd', 'iommufd']);
    expect(s.scenarioSource).toEqual({ kind: 'file', name: 'dmar.txt', edited: false });
    const notice = s.notices.find((n) => n.topic === 'import');
    expect(notice?.title).toContain('dmar0: 3 devices (iommufd), 4 PASID entries');
    expect(notice?.notes?.some((l) => l.startsWith('fsts on'))).toBe(true);
    // The run is of the imported scenario and filled the accel caches.
    expect(s.runOf).toBe(s.scenario);
    expect(Object.keys(s.run?.result.final.accel ?? {})).toHaveLength(3);

    store.temporal.getState().undo();
    expect(store.getState().scenario).toBe(before);
  });

  it('keeps the scenario and names the line when the dump is malformed', async () => {
    const store = await storeWith();
    const before = store.getState().scenario;
    const lines = DUMP.split('\n');
    lines[3] = (lines[3] ?? '').replace(/\t1 {5}\t/, '\tone\t');
    const ok = await store.getState().importText({
      text: lines.join('\n'),
      name: 'broken.txt',
      kind: 'debugfs',
    });
    expect(ok).toBe(false);
    expect(store.getState().scenario).toBe(before);
    expect(store.temporal.getState().pastStates).toHaveLength(0);
    const alert = store.getState().notices.find((n) => n.tone === 'error');
    expect(alert?.title).toBe('Could not import “broken.txt”');
    expect(alert?.detail).toContain('Your current scenario is unchanged.');
    expect(alert?.notes?.[0]).toMatch(/^line 4: column 4 \(PASID\)/);
  });

  it('a preview never touches the scenario', async () => {
    const store = await storeWith();
    const before = store.getState().scenario;
    const p = await store.getState().previewImport({ text: DUMP, name: 'd', kind: 'debugfs' });
    expect(p.ok).toBe(true);
    expect(store.getState().scenario).toBe(before);
    expect(store.getState().applyImport(p)).toBe(true);
    expect(store.getState().scenario).not.toBe(before);
  });
});

describe('appending a QEMU trace log', () => {
  it('after a dump import goes through its authoring form (no status write lands on a table)', async () => {
    const store = await storeWith();
    await store.getState().importText({ text: DUMP, name: 'dmar.txt', kind: 'debugfs' });
    await store.idle();
    const imported = store.getState().scenario;
    const ok = await store
      .getState()
      .importText({ text: LOG, name: 'qemu.log', kind: 'qemu-trace' });
    expect(ok).toBe(true);
    await store.idle();
    const s = store.getState();
    const descriptors = LOG.split('\n').filter((l) => l.includes('vtd_inv_desc invalidate')).length;
    expect(s.scenario.steps).toHaveLength(imported.steps.length + descriptors);
    expect(s.scenarioSource).toEqual({ kind: 'file', name: 'dmar.txt', edited: true });
    expect(s.notices.find((n) => n.topic === 'load-warnings')).toBeUndefined();
    expect(s.notices.find((n) => n.topic === 'import')?.notes?.join(' ')).toContain(
      'placed clear of the pages',
    );
    // Undo gives back the dump's scenario, the very object.
    store.temporal.getState().undo();
    expect(store.getState().scenario).toBe(imported);
  });

  it('on another scenario appends to it as loaded and warns about status writes on structures', async () => {
    const store = await storeWith('linux-boot');
    const base = store.getState().scenario;
    const ok = await store
      .getState()
      .importText({ text: LOG, name: 'qemu.log', kind: 'qemu-trace' });
    expect(ok).toBe(true);
    expect(store.getState().scenario.steps.slice(0, base.steps.length)).toEqual(base.steps);
    expect(store.getState().scenarioSource).toEqual({
      kind: 'preset',
      name: 'linux-boot',
      edited: true,
    });
  });

  it('a preview made before the scenario changed is not applied', async () => {
    const store = await storeWith();
    const p = await store.getState().previewImport({ text: LOG, name: 'q', kind: 'qemu-trace' });
    expect(p.ok).toBe(true);
    store.getState().clearIqe(); // an edit: a new scenario
    const edited = store.getState().scenario;
    expect(store.getState().applyImport(p)).toBe(false);
    expect(store.getState().scenario).toBe(edited);
  });
});

describe('importFile: the kind is told by content', () => {
  it('a scenario file loads at once; a dump or a log opens the dialog; anything else is refused', async () => {
    const store = await storeWith('linux-boot');
    expect(await store.getState().importFile(fixtureText, 'x.json')).toBe('loaded');
    expect(store.getState().scenario.title).toBe('Test fixture');
    const loaded = store.getState().scenario;

    expect(await store.getState().importFile(DUMP, 'dump.json')).toBe('dialog');
    expect(store.getState().importDialog).toEqual({ text: DUMP, name: 'dump.json' });
    expect(store.getState().scenario).toBe(loaded);
    store.getState().closeImportDialog();
    expect(await store.getState().importFile(LOG, 'trace')).toBe('dialog');
    store.getState().closeImportDialog();

    expect(await store.getState().importFile('not a thing', 'notes.txt')).toBe('refused');
    expect(store.getState().scenario).toBe(loaded);
    expect(store.getState().notices.find((n) => n.tone === 'error')?.title).toBe(
      'Could not import "notes.txt"',
    );
  });
});

describe('comparing variants', () => {
  it('compares the current scenario once, and again after an edit', async () => {
    const store = await storeWith('torn-down-entry');
    await store.getState().requestComparison();
    const first = store.getState().comparison;
    expect(first?.of).toBe(store.getState().scenario);
    expect(first?.value.identical).toBe(false);
    await store.getState().requestComparison();
    expect(store.getState().comparison).toBe(first); // nothing new to compare
    store.getState().clearIqe();
    await store.getState().requestComparison();
    expect(store.getState().comparison).not.toBe(first);
    expect(store.getState().comparison?.of).toBe(store.getState().scenario);
  });

  it('asking twice for one scenario computes it once', async () => {
    const store = await storeWith('torn-down-entry');
    let calls = 0;
    const original = store.engine.compareVariants;
    Object.defineProperty(store.engine, 'compareVariants', {
      value: (request: Parameters<typeof original>[0]) => {
        calls++;
        return original(request);
      },
    });
    await Promise.all([store.getState().requestComparison(), store.getState().requestComparison()]);
    expect(calls).toBe(1);
    expect(store.getState().comparison?.of).toBe(store.getState().scenario);
  });

  it('the latest request wins', async () => {
    const store = await storeWith('torn-down-entry');
    const older = store.getState().requestComparison();
    store.getState().clearIqe();
    const newer = store.getState().requestComparison();
    await Promise.all([older, newer]);
    expect(store.getState().comparison?.of).toBe(store.getState().scenario);
  });

  it('showStep moves the cursor to the step in the current variant, or switches first', async () => {
    const store = await storeWith('torn-down-entry');
    const steps = store.getState().scenario.steps.length;
    expect(steps).toBeGreaterThan(2);
    store.getState().play();
    expect(await store.getState().showStep(2)).toBe(true);
    const s = store.getState();
    expect(s.playing).toBe(false);
    expect(s.cursor).toBe(s.run?.result.trace.stepStart[2]);

    const variant = s.scenario.variant === 'series' ? 'seed' : 'series';
    expect(await store.getState().showStep(1, variant)).toBe(true);
    const t = store.getState();
    expect(t.scenario.variant).toBe(variant);
    expect(t.runOf).toBe(t.scenario);
    expect(t.run?.result.variant).toBe(variant);
    expect(t.cursor).toBe(t.run?.result.trace.stepStart[1]);
    // The switch is an ordinary, undoable variant change.
    store.temporal.getState().undo();
    expect(store.getState().scenario.variant).not.toBe(variant);
    await store.idle();
  });
});

describe('the debugfs view', () => {
  it('dumps the current scenario, and the tables before a step on request', async () => {
    const store = await storeWith('linux-boot');
    await store.getState().requestDebugfsDump();
    expect(store.getState().debugfs?.value.text).toBe(DUMP);
    await store.getState().requestDebugfsDump(0);
    const early = store.getState().debugfs;
    expect(early?.step).toBe(0);
    expect(early?.value.step).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import {
  decodePasidEntry,
  fieldByName,
  PASID_ENTRY,
  setField,
  type Scenario,
} from '../model/index.ts';
import { bootstrap } from './boot.ts';
import { createEngine, inProcessTransport, type Transport } from './engine.ts';
import { createSimulationApi } from '../worker/simulationApi.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';
import { currentMemory } from './memoryImage.ts';
import {
  AUTOSAVE_KEY,
  decodeShareFragment,
  encodeShareFragment,
  loadAutosave,
  SHARE_DECODE_ON_PAGE_MAX,
  scenarioFileText,
  shareUrl,
  shareUrlFor,
} from './persistence.ts';
import { selectCacheView } from './selectors.ts';
import { createAppStore, type AppStore } from './store.ts';
import { unpackScenarioText } from '../shared/packing.ts';
import {
  FIXTURE_BDF,
  FIXTURE_PASID5_ADDR,
  fixtureText,
  memoryStorage,
} from './testing/fixtures.ts';

const DID = fieldByName(PASID_ENTRY, 'did');

async function loadedStore(
  options: Partial<Parameters<typeof createAppStore>[0]> = {},
): Promise<AppStore> {
  const store = createAppStore({ engine: createInProcessEngine(), ...options });
  expect(await store.getState().importScenarioText(fixtureText, 'fixture.json')).toBe(true);
  await store.idle();
  return store;
}

function pasid5Words(store: AppStore): bigint[] {
  return currentMemory(store.getState().scenario).readWords(FIXTURE_PASID5_ADDR, 8);
}

function setPasid5Did(store: AppStore, did: number): void {
  const words = setField(pasid5Words(store), DID, BigInt(did));
  store.getState().writeEntry(FIXTURE_PASID5_ADDR, words, 'test edit');
}

/** The caches follow the playhead; these tests read the end of the run. */
function seekToEnd(store: AppStore): void {
  store.getState().seekTo(Number.MAX_SAFE_INTEGER);
}

function accelRows(store: AppStore) {
  const view = selectCacheView(store.getState());
  const table = view.accel.find((t) => t.device.bdf === FIXTURE_BDF);
  if (!table) throw new Error('no accel table');
  return Array.from({ length: table.rowCount }, (_, i) => table.row(i));
}

describe('running the scenario', () => {
  it('runs on load: the global invalidation caches PASID 0, then 5 at the list head', async () => {
    const store = await loadedStore();
    const s = store.getState();
    expect(s.runStatus).toBe('done');
    expect(s.runOf).toBe(s.scenario);
    seekToEnd(store);
    expect(accelRows(store).map((r) => [r.pasid, r.position, r.did, r.change])).toEqual([
      [5, 1, 3, 'created'],
      [0, 2, 2, 'created'],
    ]);
    expect(s.announcement).toMatch(/^Step 1 \(PASID-cache, global\): processed/);
  });

  it('an edit appends one write step; further edits of the same entry merge into it', async () => {
    const store = await loadedStore();
    setPasid5Did(store, 7);
    setPasid5Did(store, 8);
    const steps = store.getState().scenario.steps;
    expect(steps).toHaveLength(2);
    expect(steps[1]).toMatchObject({ op: 'write', addr: FIXTURE_PASID5_ADDR });
    expect(decodePasidEntry(pasid5Words(store)).did).toBe(8);
    // Writing what memory already holds adds nothing.
    const before = store.getState().scenario;
    setPasid5Did(store, 8);
    expect(store.getState().scenario).toBe(before);
  });

  it('flags a cached entry as stale after its guest entry changes, and the right invalidation fixes it', async () => {
    const store = await loadedStore();
    setPasid5Did(store, 7);
    await store.idle();
    seekToEnd(store);
    const stale = accelRows(store).find((r) => r.pasid === 5)?.stale;
    expect(stale?.reason).toMatch(/DID 3 → 7/);
    expect(stale?.compose).toEqual({ did: 7, pasid: 5 });

    const desc = [7n | (0n << 4n) | (7n << 16n), 0n, 0n, 0n]; // domain-selective, DID 7
    store.getState().submitInvalidation(desc);
    await store.idle();
    seekToEnd(store);
    const row = accelRows(store).find((r) => r.pasid === 5);
    expect(row?.did).toBe(7);
    expect(row?.change).toBe('updated');
    expect(row?.stale).toBeUndefined();
    expect(row?.diff.map((d) => [d.label, d.before, d.after])).toEqual([['DID', '3', '7']]);
    expect(store.getState().run?.focusStep).toBe(2);
  });

  it('counts every change of a large step though the run lists only the first', async () => {
    const store = await loadedStore();
    for (let p = 10; p < 50; p++) {
      store
        .getState()
        .writeEntry(0x4000n + BigInt(p * 64), [0x41n, 4n, BigInt(p) << 12n], `PASID ${p}`);
    }
    store.getState().submitInvalidation([7n | (3n << 4n), 0n, 0n, 0n]); // global
    await store.idle();
    const s = store.getState();
    const focus = s.run?.result.steps[s.run.focusStep];
    expect(focus?.changes.length).toBeLessThan(40);
    expect((focus?.changes.length ?? 0) + (focus?.changesOmitted ?? 0)).toBe(s.run?.focus.total);
    expect(s.announcement).toMatch(/accel: 40 created/);
    const rows = accelRows(store);
    expect(rows).toHaveLength(42);
    expect(rows.filter((r) => r.change === 'created').map((r) => r.pasid)).toEqual(
      Array.from({ length: 40 }, (_, i) => 49 - i),
    );
  });

  it('shows a removed row (series) with its old contents', async () => {
    const store = await loadedStore();
    const words = pasid5Words(store);
    store.getState().writeEntry(
      FIXTURE_PASID5_ADDR,
      words.map((w, i) => (i === 0 ? w & ~1n : w)),
      'clear P',
    );
    store.getState().submitInvalidation([7n | (1n << 4n) | (3n << 16n) | (5n << 32n), 0n, 0n, 0n]);
    await store.idle();
    const rows = accelRows(store);
    expect(rows.map((r) => [r.pasid, r.change, r.position])).toEqual([
      [0, undefined, 1],
      [5, 'removed', undefined],
    ]);
    expect(rows[1]?.did).toBe(3);
  });

  it('a rejected descriptor says why, and later ones are blocked until Clear IQE', async () => {
    const store = await loadedStore();
    store.getState().submitInvalidation([7n | (2n << 4n), 0n, 0n, 0n]); // granularity 2: reserved
    await store.idle();
    let s = store.getState();
    expect(s.run?.result.steps[1]?.status).toBe('rejected');
    expect(s.run?.result.final.iqe).toBe(true);
    s.submitInvalidation([7n | (3n << 4n), 0n, 0n, 0n]);
    await store.idle();
    s = store.getState();
    expect(s.run?.result.steps[2]?.status).toBe('blocked');
    s.clearIqe();
    s.submitInvalidation([7n | (3n << 4n), 0n, 0n, 0n]);
    await store.idle();
    s = store.getState();
    expect(s.run?.result.steps[4]?.status).toBe('processed');
    expect(s.run?.result.final.iqe).toBe(false);
  });

  it('a configuration QEMU refuses is reported, and the scenario stays as edited', async () => {
    const store = await loadedStore();
    store.getState().setIommu({ awBits: 39 }); // fsts needs aw-bits 48
    await store.idle();
    const s = store.getState();
    expect(s.runStatus).toBe('error');
    expect(s.runError?.kind).toBe('invalid-scenario');
    expect(s.scenario.iommu.awBits).toBe(39);
    expect(s.announcement).toMatch(/^Not run:/);
  });

  it('switching the variant re-runs the scenario under it', async () => {
    const store = await loadedStore();
    store.getState().setVariant('seed');
    await store.idle();
    expect(store.getState().run?.result.variant).toBe('seed');
  });
});

describe('undo and redo', () => {
  it('undoing a preset load brings back the scenario before it, and its source', async () => {
    const store = await loadedStore();
    store.temporal.getState().clear();
    const before = store.getState().scenario;
    const text = JSON.stringify({ ...JSON.parse(fixtureText), title: 'Other' });
    await store.getState().importScenarioText(text, 'other.json');
    expect(store.getState().scenario.title).toBe('Other');
    store.temporal.getState().undo();
    expect(store.getState().scenario).toBe(before);
    expect(store.getState().scenarioSource).toEqual({
      kind: 'file',
      name: 'fixture.json',
      edited: false,
    });
  });

  it('undo restores the scenario before the last edit, redo brings it back; both re-run', async () => {
    const store = await loadedStore();
    store.temporal.getState().clear();
    setPasid5Did(store, 7);
    store.getState().submitInvalidation([7n | (7n << 16n), 0n, 0n, 0n]);
    await store.idle();
    seekToEnd(store);
    expect(accelRows(store).find((r) => r.pasid === 5)?.did).toBe(7);

    store.temporal.getState().undo();
    await store.idle();
    expect(store.getState().scenario.steps).toHaveLength(2);
    expect(accelRows(store).find((r) => r.pasid === 5)?.did).toBe(3);

    store.temporal.getState().undo();
    expect(store.getState().scenario.steps).toHaveLength(1);
    store.temporal.getState().redo();
    store.temporal.getState().redo();
    await store.idle();
    expect(store.getState().scenario.steps).toHaveLength(3);
    seekToEnd(store);
    expect(accelRows(store).find((r) => r.pasid === 5)?.did).toBe(7);
  });

  it('does not record playback, view or run changes', async () => {
    const store = await loadedStore();
    store.temporal.getState().clear();
    store.getState().seekTo(1);
    store.getState().select({ kind: 'pasid', bdf: FIXTURE_BDF, pasid: 5 });
    store.getState().setComposer({ did: 9 });
    await store.getState().requestRun();
    expect(store.temporal.getState().pastStates).toHaveLength(0);
  });
});

describe('persistence', () => {
  it('autosave restores the exact scenario after a "reload"', async () => {
    const storage = memoryStorage();
    const store = await loadedStore({ storage });
    setPasid5Did(store, 7);
    await store.idle();
    expect(storage.data.has(AUTOSAVE_KEY)).toBe(true);

    const reloaded = createAppStore({
      engine: createInProcessEngine(),
      storage,
      fetchText: () => Promise.reject(new Error('offline')),
    });
    await bootstrap(reloaded, { location: { hash: '', search: '', pathname: '/' } });
    await reloaded.idle();
    expect(reloaded.getState().scenario).toEqual(store.getState().scenario);
    expect(reloaded.getState().scenarioSource).toEqual({
      kind: 'file',
      name: 'fixture.json',
      edited: true,
    });
    expect(reloaded.temporal.getState().pastStates).toHaveLength(0);
  });

  it('a share link carries the whole scenario', async () => {
    const store = await loadedStore();
    setPasid5Did(store, 7);
    const hash = `#${encodeShareFragment(store.getState().scenario)}`;
    const fresh = createAppStore({ engine: createInProcessEngine() });
    expect(await fresh.getState().openShareFragment(hash)).toBe(true);
    expect(fresh.getState().scenario).toEqual(store.getState().scenario);
  });

  it('a truncated link is refused with a clear message and the scenario stays as it was', async () => {
    const store = await loadedStore();
    const before = store.getState().scenario;
    const hash = `#${encodeShareFragment(before)}`;
    const cut = hash.slice(0, Math.floor(hash.length * 0.6));
    expect(decodeShareFragment(cut).kind).toBe('error');
    expect(await store.getState().openShareFragment(cut)).toBe(false);
    expect(store.getState().scenario).toBe(before);
    const notice = store.getState().notices.find((n) => n.tone === 'error');
    expect(notice?.title).toBe('Could not open the share link');
    expect(notice?.detail).toMatch(/damaged or cut short/);
  });

  it('a long link (a large scenario) is read by the engine, and a damaged one is refused', async () => {
    const store = await loadedStore();
    // 8,000 PASID entries with varied words: a link far longer than the page decodes itself.
    const blocks = Array.from({ length: 8000 }, (_, i) => ({
      addr: 0x10_0000n + BigInt(i) * 64n,
      qwords: [0x41n, BigInt(1 + ((i * 7919) % 65535)), BigInt(i) * 0x1000n + 0x30_0000n],
    }));
    const big: Scenario = {
      ...store.getState().scenario,
      memory: [...store.getState().scenario.memory, ...blocks],
    };
    const hash = `#${encodeShareFragment(big)}`;
    expect(hash.length).toBeGreaterThan(SHARE_DECODE_ON_PAGE_MAX);
    const packed: string[] = [];
    const real = inProcessTransport(createSimulationApi());
    const spy: Transport = {
      ...real,
      call: (name, args, lane) => {
        const [request] = args;
        if (name === 'parsePackedScenario' && typeof request === 'string') packed.push(request);
        return real.call(name, args, lane);
      },
    };
    const fresh = createAppStore({ engine: createEngine(spy) });
    expect(await fresh.getState().openShareFragment(hash)).toBe(true);
    expect(packed).toHaveLength(1);
    expect(fresh.getState().scenario).toEqual(big);
    await fresh.idle();
    expect(fresh.getState().runStatus).toBe('done');

    const cut = hash.slice(0, hash.length - 5000);
    const before = fresh.getState().scenario;
    expect(await fresh.getState().openShareFragment(cut)).toBe(false);
    expect(fresh.getState().scenario).toBe(before);
    const notice = fresh.getState().notices.find((n) => n.tone === 'error');
    expect(notice?.title).toBe('Could not open the share link');
    expect(notice?.detail).toMatch(/damaged or cut short/);
  });

  it('a large scenario gets its link from the engine, the same link as made on the page', async () => {
    const store = await loadedStore();
    const blocks = Array.from({ length: 1000 }, (_, i) => ({
      addr: 0x10_0000n + BigInt(i) * 64n,
      qwords: [0x41n, BigInt(1 + i), 0x30_0000n],
    }));
    const big: Scenario = {
      ...store.getState().scenario,
      memory: [...store.getState().scenario.memory, ...blocks],
    };
    const asked: Scenario[] = [];
    const engine = {
      shareFragment: (request: { scenario: Scenario }) => {
        asked.push(request.scenario);
        return store.engine.shareFragment(request);
      },
    };
    const where = { origin: 'https://example.test', pathname: '/app/' };
    const url = await shareUrlFor(engine, big, where);
    expect(asked).toEqual([big]);
    expect(url).toBe(shareUrl(big, where));
    // A small scenario is linked on the page at once.
    expect(await shareUrlFor(engine, store.getState().scenario, where)).toBe(
      shareUrl(store.getState().scenario, where),
    );
    expect(asked).toHaveLength(1);
  });

  it('a link of another format version is refused by version', () => {
    expect(decodeShareFragment('#scenario=9.abc')).toEqual({
      kind: 'error',
      message: expect.stringMatching(/format 9/) as string,
    });
    expect(decodeShareFragment('#step=3')).toEqual({ kind: 'none' });
  });

  it('export then import gives the same scenario', async () => {
    const store = await loadedStore();
    setPasid5Did(store, 7);
    store.getState().submitInvalidation([7n | (7n << 16n), 0n, 0n, 0n]);
    const text = scenarioFileText(store.getState().scenario, 2);
    const other = createAppStore({ engine: createInProcessEngine() });
    expect(await other.getState().importScenarioText(text, 'x.json')).toBe(true);
    expect(other.getState().scenario).toEqual(store.getState().scenario);
  });

  it('a malformed file is refused with its JSON paths, the scenario intact', async () => {
    const store = await loadedStore();
    const before = store.getState().scenario;
    const bad = JSON.parse(fixtureText) as { devices: { backend: string }[] };
    bad.devices[0]!.backend = 'teleport';
    expect(await store.getState().importScenarioText(JSON.stringify(bad), 'bad.json')).toBe(false);
    expect(
      await store.getState().importScenarioText('{"format": "pasidscope-scen', 'cut.json'),
    ).toBe(false);
    expect(store.getState().scenario).toBe(before);
    const errors = store.getState().notices.filter((n) => n.tone === 'error');
    expect(errors).toHaveLength(1); // one load notice at a time: the latest
    expect(errors[0]?.title).toBe('Could not import "cut.json"');
    expect(errors[0]?.detail).toMatch(/not a JSON file/);
  });

  it('names the JSON path of a bad value', async () => {
    const store = await loadedStore();
    const bad = JSON.parse(fixtureText) as { devices: { backend: string }[] };
    bad.devices[0]!.backend = 'teleport';
    await store.getState().importScenarioText(JSON.stringify(bad), 'bad.json');
    const n = store.getState().notices.find((x) => x.tone === 'error');
    expect(n?.issues?.some((i) => i.path.includes('devices') && i.path.includes('backend'))).toBe(
      true,
    );
  });

  it('the autosave record is readable on its own', async () => {
    const storage = memoryStorage();
    const store = await loadedStore({ storage });
    const rec = loadAutosave(storage);
    expect(rec && (await unpackScenarioText(rec.packed))).toBe(
      scenarioFileText(store.getState().scenario),
    );
    expect(rec?.source).toEqual({ kind: 'file', name: 'fixture.json', edited: false });
  });

  it('pagehide saves a pending edit at once', async () => {
    const storage = memoryStorage();
    const store = await loadedStore({ storage });
    setPasid5Did(store, 11);
    store.flushAutosave();
    const rec = loadAutosave(storage);
    expect(rec && (await unpackScenarioText(rec.packed))).toBe(
      scenarioFileText(store.getState().scenario),
    );
  });
});

describe('start-up', () => {
  const presetIndex = JSON.stringify([
    { name: 'fixture', title: 'Fixture', summary: 'Two PASIDs', tags: [] },
  ]);
  const fetchText = (path: string): Promise<string> =>
    path.endsWith('index.json')
      ? Promise.resolve(presetIndex)
      : path.endsWith('fixture.json')
        ? Promise.resolve(fixtureText)
        : Promise.reject(new Error(`404 ${path}`));

  it('?preset=NAME loads that preset and cleans the URL', async () => {
    const store = createAppStore({ engine: createInProcessEngine(), fetchText });
    let url = '';
    await bootstrap(store, {
      location: { hash: '', search: '?preset=fixture', pathname: '/app/' },
      replaceUrl: (u) => (url = u),
    });
    await store.idle();
    expect(store.getState().scenarioSource).toEqual({
      kind: 'preset',
      name: 'fixture',
      edited: false,
    });
    expect(store.getState().presets.map((p) => p.name)).toEqual(['fixture']);
    expect(url).toBe('/app/');
  });

  it('a bad link at start-up leaves the autosaved scenario in place and keeps other URL parts', async () => {
    const storage = memoryStorage();
    const first = await loadedStore({ storage });
    setPasid5Did(first, 9);
    await first.idle();
    const store = createAppStore({ engine: createInProcessEngine(), storage, fetchText });
    let url = '';
    await bootstrap(store, {
      location: { hash: '#scenario=1.NoThInG&step=4', search: '', pathname: '/' },
      replaceUrl: (u) => (url = u),
    });
    await store.idle();
    expect(store.getState().scenario).toEqual(first.getState().scenario);
    expect(store.getState().notices.some((n) => n.title === 'Could not open the share link')).toBe(
      true,
    );
    expect(url).toBe('/#step=4');
  });

  it('with nothing saved it opens the first preset', async () => {
    const store = createAppStore({ engine: createInProcessEngine(), fetchText });
    await bootstrap(store, { location: { hash: '', search: '', pathname: '/' } });
    await store.idle();
    expect(store.getState().scenario.title).toBe('Test fixture');
  });
});

describe('latest request wins', () => {
  it('ignores an answer that arrives after a newer request', async () => {
    const real = createInProcessEngine();
    const api = inProcessTransport(createSimulationApi());
    const gates: (() => void)[] = [];
    // An engine whose first run (of the one-step scenario) answers only after the second one.
    const engine = createEngine({
      ...api,
      call: (name, args, lane) => {
        const answer = api.call(name, args, lane);
        const [request] = args;
        const oneStep =
          typeof request === 'object' &&
          'scenario' in request &&
          request.scenario.steps.length === 1;
        if (name !== 'run' || gates.length > 0 || !oneStep) return answer;
        return new Promise<void>((resolve) => gates.push(resolve)).then(() => answer);
      },
    });
    const store = createAppStore({ engine });
    const parsed = await real.parseScenarioText(fixtureText);
    if (!parsed.ok) throw new Error('fixture');
    store.getState().replaceScenario(parsed.value.scenario, { kind: 'new', edited: false });
    const slow = store.getState().requestRun(); // generation 1: held back
    store.getState().submitInvalidation([7n | (3n << 4n), 0n, 0n, 0n]); // generation 2
    await new Promise((r) => setTimeout(r, 10));
    expect(store.getState().run?.result.steps).toHaveLength(2);
    gates.shift()?.();
    await slow;
    expect(store.getState().run?.result.steps).toHaveLength(2);
    expect(store.getState().runOf).toBe(store.getState().scenario);
  });
});

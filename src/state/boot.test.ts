// Start-up with a link that cannot be honoured, and the notices that say so: they must name what
// failed, stay on screen after the fallback scenario has loaded, and never say one thing twice.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { bootstrap } from './boot.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';
import { fetchRelative } from './presets.ts';
import type { Notice } from './slices/viewSlice.ts';
import { createAppStore, type AppStore } from './store.ts';
import { fixtureFile, fixtureText, memoryStorage } from './testing/fixtures.ts';

const INDEX = JSON.stringify([
  { name: 'fixture', title: 'Fixture', summary: 'Two PASIDs', tags: [] },
  { name: 'gone', title: 'Listed but missing', summary: '', tags: [] },
]);
const SPA_PAGE = '<!doctype html><html><body><div id="root"></div></body></html>';

/** Serves the index and the fixture preset; anything else rejects like a missing file. */
const fetchText = (path: string): Promise<string> =>
  path.endsWith('index.json')
    ? Promise.resolve(INDEX)
    : path.endsWith('/fixture.json')
      ? Promise.resolve(fixtureText)
      : Promise.reject(new Error(`${path}: not found (HTTP 404)`));

async function bootWith(
  search: string,
  hash = '',
  storage?: ReturnType<typeof memoryStorage>,
): Promise<AppStore> {
  const store = createAppStore({
    engine: createInProcessEngine(),
    fetchText,
    ...(storage ? { storage } : {}),
  });
  await bootstrap(store, { location: { hash, search, pathname: '/' } });
  await store.idle();
  return store;
}

function errors(store: AppStore): Notice[] {
  return store.getState().notices.filter((n) => n.tone === 'error');
}

/** Everything a notice shows, as one text. */
function shown(n: Notice): string {
  return [
    n.title,
    n.detail ?? '',
    ...(n.issues ?? []).map((i) => `${i.path}: ${i.message}`),
    ...(n.notes ?? []),
  ].join('\n');
}

describe('?preset=NAME that does not exist', () => {
  it('names the preset, points to the Preset menu and the known names, and outlives the fallback', async () => {
    const store = await bootWith('?preset=nosuchpreset');
    // The default was opened instead...
    expect(store.getState().scenarioSource).toMatchObject({ kind: 'preset', name: 'fixture' });
    // ...and the notice that says why is still there.
    const [notice, ...more] = errors(store);
    expect(more).toEqual([]);
    expect(notice?.title).toBe('There is no preset called "nosuchpreset".');
    expect(notice?.detail).toMatch(/Preset menu/);
    expect(notice?.detail).toMatch(/fixture, gone/);
    expect(notice?.detail).toMatch(/"fixture" is shown instead/);
  });

  it('with an autosaved scenario, that one stays and the notice says so', async () => {
    const storage = memoryStorage();
    const first = createAppStore({ engine: createInProcessEngine(), fetchText, storage });
    expect(await first.getState().importScenarioText(fixtureText, 'mine.json')).toBe(true);
    await first.idle();
    first.flushAutosave();
    const store = await bootWith('?preset=nosuchpreset', '', storage);
    expect(store.getState().scenarioSource).toMatchObject({ kind: 'file', name: 'mine.json' });
    const [notice] = errors(store);
    expect(notice?.title).toBe('There is no preset called "nosuchpreset".');
    expect(notice?.detail).toMatch(/^Your last scenario is shown instead\. /);
  });

  it('a listed preset whose file is missing says so, after the fallback too', async () => {
    const store = await bootWith('?preset=gone');
    expect(store.getState().scenarioSource).toMatchObject({ kind: 'preset', name: 'fixture' });
    const [notice] = errors(store);
    expect(notice?.title).toBe('Could not load the preset "gone"');
    expect(notice?.detail).toMatch(/scenarios\/gone\.json: not found/);
  });

  it('a damaged share link with nothing saved keeps its notice after the default loads', async () => {
    const store = await bootWith('', '#scenario=1.NoThInG');
    expect(store.getState().scenario.title).toBe(fixtureFile.title);
    expect(errors(store).map((n) => n.title)).toEqual(['Could not open the share link']);
  });

  it('stays until the user loads another scenario or dismisses it', async () => {
    const store = await bootWith('?preset=nosuchpreset');
    expect(await store.getState().loadPreset('fixture')).toBe(true);
    expect(errors(store)).toEqual([]);
    const again = await bootWith('?preset=nosuchpreset');
    const [notice] = errors(again);
    if (notice) again.getState().dismissNotice(notice.id);
    expect(errors(again)).toEqual([]);
    expect(notice?.title).toMatch(/nosuchpreset/);
  });
});

describe('fetching presets', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('refuses a web page served where JSON was asked for (a single-page-app fallback)', async () => {
    vi.stubGlobal('fetch', () =>
      Promise.resolve(
        new Response(SPA_PAGE, { status: 200, headers: { 'content-type': 'text/html' } }),
      ),
    );
    await expect(fetchRelative('scenarios/nosuchpreset.json')).rejects.toThrow(
      'scenarios/nosuchpreset.json: not found (the server answered with a web page, not JSON)',
    );
  });

  it('refuses HTML even when the server calls it something else', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(`\n${SPA_PAGE}`, { status: 200 })));
    await expect(fetchRelative('scenarios/x.json')).rejects.toThrow(/not JSON/);
  });

  it('passes JSON through and names the status of a failed request', async () => {
    vi.stubGlobal('fetch', (path: string) =>
      Promise.resolve(
        path.endsWith('ok.json')
          ? new Response(fixtureText, { headers: { 'content-type': 'application/json' } })
          : new Response('', { status: 404 }),
      ),
    );
    expect(await fetchRelative('scenarios/ok.json')).toBe(fixtureText);
    await expect(fetchRelative('scenarios/no.json')).rejects.toThrow(
      'scenarios/no.json: not found (HTTP 404)',
    );
  });
});

describe('a refused file', () => {
  const twoProblems = JSON.stringify({
    ...fixtureFile,
    devices: [{ bdf: 'zz', backend: 'iommufd' }],
    steps: [{ op: 'flush' }],
  });

  it('lists each problem once: the detail does not repeat the first', async () => {
    const store = createAppStore({ engine: createInProcessEngine(), fetchText });
    expect(await store.getState().importScenarioText(twoProblems, 'broken.json')).toBe(false);
    const [notice] = errors(store);
    expect(notice?.issues?.map((i) => i.path)).toEqual(['$.devices[0].bdf', '$.steps[0].op']);
    const text = notice ? shown(notice) : '';
    for (const issue of notice?.issues ?? []) {
      expect(text.split(issue.message)).toHaveLength(2);
    }
    expect(notice?.detail).toBe('Your current scenario is unchanged. 2 problems:');
  });

  it('through the import flow too', async () => {
    const store = createAppStore({ engine: createInProcessEngine(), fetchText });
    const ok = await store
      .getState()
      .importText({ text: twoProblems, name: 'broken.json', kind: 'scenario' });
    expect(ok).toBe(false);
    const [notice] = errors(store);
    expect(notice?.issues).toHaveLength(2);
    const text = notice ? shown(notice) : '';
    for (const issue of notice?.issues ?? []) {
      expect(text.split(issue.message)).toHaveLength(2);
    }
  });
});

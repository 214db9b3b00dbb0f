// @vitest-environment jsdom
// The comparison panel with the real store and engine: per-pair detail, a step that moves the walk,
// the agreement stated plainly, and Copy as Markdown (with the clipboard, and without one).

import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInProcessEngine } from '../../state/testing/inProcessEngine.ts';
import { type AppStore, createAppStore, StoreProvider } from '../../state/index.ts';
import { ComparePanel } from './ComparePanel.tsx';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const presetFiles = import.meta.glob<string>('../../../public/scenarios/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const fetchText = (path: string): Promise<string> => {
  const name = path.replace(/^.*\//, '');
  const hit = Object.entries(presetFiles).find(([p]) => p.endsWith(`/${name}`));
  return hit ? Promise.resolve(hit[1]) : Promise.reject(new Error(path));
};

async function setup(preset: string): Promise<AppStore> {
  const store = createAppStore({ engine: createInProcessEngine(), fetchText });
  await store.getState().loadPreset(preset);
  await store.idle();
  store.getState().setCompareOpen(true);
  render(
    <StoreProvider store={store}>
      <ComparePanel />
    </StoreProvider>,
  );
  await waitFor(() => expect(store.getState().comparison?.of).toBe(store.getState().scenario));
  return store;
}

describe('ComparePanel', () => {
  it('torn-down-entry: the differing step per pair, and a click moves the walk there', async () => {
    const store = await setup('torn-down-entry');
    const user = userEvent.setup();
    const patch = screen.getByRole('tab', { name: /^seed ↔ series \(the patch\)/ });
    expect(patch.getAttribute('aria-selected')).toBe('true');
    const list = screen.getByRole('list', { name: /Steps that differ between seed and series/ });
    const items = within(list).getAllByRole('listitem');
    // Step 1 differs on the host only (the series binds PASID 7, the seed binds nothing).
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('host calls');
    const item = items[1];
    if (!item) throw new Error('no step');
    expect(item.textContent).toContain('Step 3');
    expect(item.textContent).toContain('PASID-selective');
    expect(item.textContent).toContain('− accel 00:02.0 PASID 7 removed');

    await user.click(within(item).getByRole('button', { name: /^Step 3/ }));
    await waitFor(() => {
      const s = store.getState();
      expect(s.cursor).toBe(s.run?.result.trace.stepStart[2]);
    });

    // The fix's pair has nothing to show, and says so.
    await user.click(screen.getByRole('tab', { name: /^series ↔ series-fixed/ }));
    expect(screen.getByRole('tabpanel').textContent).toContain(
      'series and series-fixed agree on every step and on the final caches',
    );
    // Arrow keys move between the pairs.
    await user.keyboard('{ArrowDown}');
    expect(
      screen.getByRole('tab', { name: /^seed ↔ series-fixed/ }).getAttribute('aria-selected'),
    ).toBe('true');
  });

  it('says plainly when every variant agrees', async () => {
    await setup('te-off');
    expect(screen.getByText(/All three variants agree/)).toBeTruthy();
    expect(screen.queryAllByRole('tab')).toHaveLength(0);
  });

  it('copies the Markdown, or shows it when there is no clipboard', async () => {
    await setup('torn-down-entry');
    // user-event puts a clipboard stub on the page; the panel writes into it.
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Copy as Markdown' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toContain('Markdown copied'),
    );
    const copied = await navigator.clipboard.readText();
    expect(copied).toContain(
      '- seed vs series: the outcome of steps 1 and 3 differs; final caches: 1 entry differs',
    );
    expect(copied).toContain('| 3 | PASID-cache, PASID-selective, DID 3, PASID 7');

    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
    await user.click(screen.getByRole('button', { name: 'Copy as Markdown' }));
    const manual = await screen.findByRole<HTMLTextAreaElement>('textbox', {
      name: /copy the Markdown by hand/,
    });
    expect(manual.value).toBe(copied);
  });
});

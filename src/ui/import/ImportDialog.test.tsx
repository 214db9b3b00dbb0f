// @vitest-environment jsdom
// The import dialog with the real store and engine: the kind told by content, a refused dump named
// by its line (which the line link selects), options that change the preview, and an accepted
// import that replaces the scenario once.

import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessEngine } from '../../state/testing/inProcessEngine.ts';
import { type AppStore, createAppStore, StoreProvider } from '../../state/index.ts';
import { fixtureText } from '../../state/testing/fixtures.ts';
import { ImportDialog } from './ImportDialog.tsx';
import { lineRange } from './useModalDialog.ts';

afterEach(cleanup);

const fixtures = import.meta.glob<string>('../../model/importers/__fixtures__/*', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const DUMP =
  Object.entries(fixtures).find(([p]) =>
    p.endsWith('linux-boot.dmar_translation_struct.txt'),
  )?.[1] ?? '';

async function setup(): Promise<{ store: AppStore; user: ReturnType<typeof userEvent.setup> }> {
  const store = createAppStore({ engine: createInProcessEngine() });
  await store.getState().importScenarioText(fixtureText, 'fixture.json');
  await store.idle();
  render(
    <StoreProvider store={store}>
      <ImportDialog />
    </StoreProvider>,
  );
  return { store, user: userEvent.setup() };
}

describe('lineRange', () => {
  it('finds a line by its 1-based number', () => {
    const text = 'one\ntwo\nthree';
    expect(lineRange(text, 1)).toEqual({ start: 0, end: 3 });
    const two = lineRange(text, 2);
    expect(text.slice(two.start, two.end)).toBe('two');
    const three = lineRange(text, 3);
    expect(text.slice(three.start, three.end)).toBe('three');
    expect(lineRange(text, 9)).toEqual({ start: text.length, end: text.length });
  });
});

describe('ImportDialog', () => {
  it('refuses a malformed dump with its line, selects that line, and leaves the scenario', async () => {
    const { store, user } = await setup();
    const before = store.getState().scenario;
    const lines = DUMP.split('\n');
    lines[4] = (lines[4] ?? '').replace('0x0000000000002401', 'nothex');
    store.getState().openImportDialog({ text: lines.join('\n'), name: 'broken.txt' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This debugfs dump cannot be imported.');
    expect(alert.textContent).toContain('column 3 (context entry)');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Import dump' }).disabled).toBe(
      true,
    );

    await user.click(within(alert).getByRole('button', { name: 'line 5' }));
    const area = screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Text to import' });
    expect(area.value.slice(area.selectionStart, area.selectionEnd)).toBe(lines[4]);
    expect(store.getState().scenario).toBe(before);

    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(store.getState().importDialog).toBeUndefined();
    expect(store.getState().scenario).toBe(before);
  });

  it('previews a dump with the chosen backend and imports it on request', async () => {
    const { store, user } = await setup();
    const before = store.getState().scenario;
    store.getState().openImportDialog();
    const area = await screen.findByRole('textbox', { name: 'Text to import' });
    await user.click(area);
    await user.paste(DUMP);
    const preview = screen.getByRole('region', { name: 'Import preview' });
    await waitFor(() =>
      expect(preview.textContent).toContain('dmar0: 3 devices (iommufd), 4 PASID entries'),
    );
    expect(
      screen.getByRole<HTMLSelectElement>('combobox', { name: 'Read as' }).selectedOptions[0]
        ?.textContent,
    ).toMatch(/^Detected: debugfs dump/);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Device backend' }), 'emulated');
    await waitFor(() => expect(preview.textContent).toContain('(emulated)'));
    await user.selectOptions(screen.getByRole('combobox', { name: 'fsts' }), 'off');
    await waitFor(() => expect(preview.textContent).toContain('fsts off (as asked)'));
    expect(store.getState().scenario).toBe(before);

    await user.click(screen.getByRole('button', { name: 'Import dump' }));
    const s = store.getState();
    expect(s.scenario).not.toBe(before);
    expect(s.scenario.iommu.fsts).toBe(false);
    expect(s.scenario.devices.every((d) => d.backend === 'emulated')).toBe(true);
    expect(s.importDialog).toBeUndefined();
    expect(s.notices.find((n) => n.topic === 'import')?.title).toContain('Imported “pasted text”');
  });

  it('says when it cannot tell what the text is, and reads it as asked', async () => {
    const { store, user } = await setup();
    store.getState().openImportDialog({ text: 'hello\nworld\n', name: 'notes.txt' });
    expect(
      await screen.findByText(/not a scenario file, a debugfs dump or a QEMU trace log/),
    ).toBeTruthy();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Read as' }), 'debugfs');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('line 1');
  });
});

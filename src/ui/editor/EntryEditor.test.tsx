// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodePasidEntry } from '../../model/index.ts';
import { createInProcessEngine } from '../../state/testing/inProcessEngine.ts';
import { type AppStore, createAppStore, currentMemory, StoreProvider } from '../../state/index.ts';
import { FIXTURE_PASID5_ADDR, fixtureText } from '../../state/testing/fixtures.ts';
import { HexInput } from '../common/inputs.tsx';
import { EntryEditor } from './EntryEditor.tsx';

afterEach(cleanup);

describe('HexInput', () => {
  it('shows an error for a bad hex value and keeps the last good one', async () => {
    const user = userEvent.setup();
    const onCommit = vi.fn();
    render(<HexInput label="Pointer" value={0x1000n} onCommit={onCommit} />);
    const input = screen.getByRole('textbox', { name: 'Pointer' });
    await user.clear(input);
    await user.type(input, '0x12G4{Enter}');
    expect(screen.getByRole('alert').textContent).toMatch(/not a hex number.*Keeping 0x1000/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(onCommit).not.toHaveBeenCalled();
    await user.tab();
    expect(onCommit).not.toHaveBeenCalled();
    // Esc returns to the stored value.
    await user.click(input);
    await user.keyboard('{Escape}');
    expect((input as HTMLInputElement).value).toBe('0x1000');
    await user.clear(input);
    await user.type(input, '2000{Enter}');
    expect(onCommit).toHaveBeenCalledWith(0x2000n);
  });

  it('refuses a value wider than the field', async () => {
    const user = userEvent.setup();
    const onCommit = vi.fn();
    render(<HexInput label="rsvd" value={0n} bits={4} onCommit={onCommit} />);
    const input = screen.getByRole('textbox', { name: 'rsvd' });
    await user.clear(input);
    await user.type(input, '0x10{Enter}');
    expect(screen.getByRole('alert').textContent).toMatch(/at most 4 bits/);
    expect(onCommit).not.toHaveBeenCalled();
  });
});

async function storeWithPasid5(): Promise<AppStore> {
  const store = createAppStore({ engine: createInProcessEngine() });
  await store.getState().importScenarioText(fixtureText, 'fixture.json');
  store.getState().select({ kind: 'pasid', bdf: '00:02.0', pasid: 5 });
  await store.idle();
  return store;
}

const didInMemory = (store: AppStore): number =>
  decodePasidEntry(currentMemory(store.getState().scenario).readWords(FIXTURE_PASID5_ADDR, 8)).did;

describe('EntryEditor: fields and raw words stay in sync', () => {
  it('a field edit rewrites the raw word, a raw edit rewrites the field, a bad hex keeps the last good value', async () => {
    const user = userEvent.setup();
    const store = await storeWithPasid5();
    render(
      <StoreProvider store={store}>
        <EntryEditor />
      </StoreProvider>,
    );
    const did = screen.getByLabelText<HTMLInputElement>('DID', { exact: true });
    const val1 = screen.getByLabelText<HTMLInputElement>('val[1]');
    expect(did.value).toBe('3');
    expect(val1.value).toBe('0x0000000000000003');

    await user.clear(did);
    await user.type(did, '7{Enter}');
    expect(didInMemory(store)).toBe(7);
    expect(screen.getByLabelText<HTMLInputElement>('val[1]').value).toBe('0x0000000000000007');

    const raw = screen.getByLabelText('val[1]');
    await user.clear(raw);
    await user.type(raw, '0x9{Enter}');
    expect(didInMemory(store)).toBe(9);
    expect(screen.getByLabelText<HTMLInputElement>('DID', { exact: true }).value).toBe('9');

    await user.clear(raw);
    await user.type(raw, '0xZZ{Enter}');
    expect(screen.getByRole('alert').textContent).toMatch(/not a hex number/);
    expect(didInMemory(store)).toBe(9);
    expect(screen.getByLabelText<HTMLInputElement>('DID', { exact: true }).value).toBe('9');

    // A flag is a checkbox; clearing P is one more write into the same step.
    await user.click(screen.getByLabelText('P', { exact: true }));
    expect(currentMemory(store.getState().scenario).read(FIXTURE_PASID5_ADDR) & 1n).toBe(0n);
    expect(store.getState().scenario.steps.filter((s) => s.op === 'write')).toHaveLength(1);
  });

  it('names the PGTT values and previews what QEMU does with them', async () => {
    const user = userEvent.setup();
    const store = await storeWithPasid5();
    render(
      <StoreProvider store={store}>
        <EntryEditor />
      </StoreProvider>,
    );
    await user.selectOptions(screen.getByLabelText('PGTT', { exact: true }), '2');
    expect(
      screen.getByRole('group', { name: 'What QEMU makes of this entry' }).textContent,
    ).toMatch(/PGTT 2 \(second-stage\) is rejected when fsts is on: fault 0x5b, entry skipped/);
  });
});

// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreProvider } from '../../state/index.ts';
import { fixtureStore } from '../../state/testing/fixtureStore.ts';
import { HostFaultsEditor } from './HostFaultsEditor.tsx';
import { IommuSettings } from './IommuSettings.tsx';

afterEach(cleanup);

describe('the host-fault editor and the svm setting', () => {
  it('adds a fault, refuses a bad PASID without losing the good one, says when a fault cannot fire, undoes', async () => {
    const user = userEvent.setup();
    const store = await fixtureStore();
    render(
      <StoreProvider store={store}>
        <HostFaultsEditor />
        <IommuSettings />
      </StoreProvider>,
    );
    await user.click(screen.getByRole('button', { name: 'Add host fault' }));
    expect(screen.getByRole('group', { name: 'Host fault 1' })).toBeTruthy();
    const pasid = screen.getByLabelText('PASID');
    await user.clear(pasid);
    await user.type(pasid, '0x100000{Enter}');
    expect(screen.getByRole('alert').textContent).toMatch(/Out of range/);
    expect(store.getState().scenario.hostFaults?.[0]?.pasid).toBe(0);
    await user.clear(pasid);
    await user.type(pasid, '5{Enter}');
    expect(store.getState().scenario.hostFaults?.[0]?.pasid).toBe(5);
    await user.selectOptions(screen.getByLabelText('Call'), 'faultq');
    expect(
      screen.getByText(/Never fires here: fault queues are allocated only with svm/),
    ).toBeTruthy();
    // svm on: the note goes; the setting is an IOMMU property like the others.
    await user.click(screen.getByLabelText('Shared virtual memory (svm)'));
    expect(store.getState().scenario.iommu.svm).toBe(true);
    expect(screen.queryByText(/Never fires here/)).toBeNull();
    store.temporal.getState().undo();
    expect(store.getState().scenario.iommu.svm).toBeUndefined();
    store.temporal.getState().undo();
    expect(store.getState().scenario.hostFaults?.[0]?.op).toBe('attach');
    await user.click(screen.getByRole('button', { name: 'Remove host fault 1' }));
    expect(store.getState().scenario.hostFaults).toBeUndefined();
  });
});

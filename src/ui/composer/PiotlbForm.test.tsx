// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePiotlb } from '../../model/index.ts';
import { StoreProvider } from '../../state/index.ts';
import { fixtureStore } from '../../state/testing/fixtureStore.ts';
import { InvalidationComposer } from './InvalidationComposer.tsx';
import { parsePiotlbAddr, piotlbMeaning } from './piotlbText.ts';

afterEach(cleanup);

describe('the PASID-IOTLB composer form', () => {
  it('refuses an unaligned address and says why', () => {
    expect(parsePiotlbAddr('0x7000')).toEqual({ ok: true, value: 0x7000n });
    const bad = parsePiotlbAddr('0x7040');
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.error).toMatch(/4 KiB aligned.*e\.g\. 0x7000/);
  });

  it('says what QEMU makes of the words, refusals included', () => {
    const page = [0x0000_0005_0003_0036n, 0x7042n, 0n, 0n];
    expect(piotlbMeaning(page, 256)[0]).toBe(
      'Page selective: DID 3, PASID 5, from 0x7000, 4 pages, leaf only (IH).',
    );
    expect(piotlbMeaning(page, 128)[0]).toMatch(/^Refused: .*128-bit/);
    expect(piotlbMeaning([0x36n, 0x13n, 0n, 0n], 256)[0]).toMatch(/^Refused: address mask 19/);
  });

  it('composes by field and submits the descriptor as a step', async () => {
    const user = userEvent.setup();
    const store = await fixtureStore();
    render(
      <StoreProvider store={store}>
        <InvalidationComposer />
      </StoreProvider>,
    );
    await user.selectOptions(screen.getByLabelText('Descriptor'), 'piotlb');
    await user.selectOptions(screen.getByLabelText('Granularity'), 'page');
    const did = screen.getByLabelText('Domain ID');
    await user.clear(did);
    await user.type(did, '3');
    const pasid = screen.getByLabelText('PASID');
    await user.clear(pasid);
    await user.type(pasid, '5');
    const addr = screen.getByLabelText('Address');
    await user.clear(addr);
    await user.type(addr, '0x7040');
    expect(screen.getByRole('alert').textContent).toMatch(/4 KiB aligned/);
    expect(store.getState().composer.piotlbAddr).toBe(0n);
    await user.clear(addr);
    await user.type(addr, '0x7000');
    const am = screen.getByLabelText('Address mask');
    await user.clear(am);
    await user.type(am, '2');
    await user.click(screen.getByLabelText('Leaf only (IH)'));
    expect(screen.getByText(/^Page selective: DID 3, PASID 5, from 0x7000, 4 pages/)).toBeTruthy();
    const before = store.getState().scenario.steps.length;
    await user.click(screen.getByRole('button', { name: 'Submit invalidation' }));
    await store.idle();
    const steps = store.getState().scenario.steps;
    expect(steps).toHaveLength(before + 1);
    const last = steps.at(-1);
    const desc = last?.op === 'invalidate' ? last.desc : undefined;
    expect(desc).toEqual([0x0000_0005_0003_0036n, 0x7042n, 0n, 0n]);
    expect(decodePiotlb(desc as [bigint, bigint, bigint, bigint])).toMatchObject({
      did: 3,
      pasid: 5,
      addr: 0x7000n,
      npages: 4n,
      flags: 1,
    });
  });
});

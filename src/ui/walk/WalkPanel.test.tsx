// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { LeafOutcome, TraceKind, eventKind, leafOutcome, type Scenario } from '../../model/core.ts';
import { ScenarioBuilder } from '../../model/testSupport/scenarioBuilder.ts';
import { createInProcessEngine } from '../../state/testing/inProcessEngine.ts';
import { type AppStore, createAppStore, StoreProvider } from '../../state/index.ts';
import { fixtureScenario } from '../../viz/trace/traceFixture.ts';
import { WalkPanel } from './WalkPanel.tsx';

async function mounted(scenario: Scenario = fixtureScenario()): Promise<AppStore> {
  // Motion off, as the e2e screenshots do (jsdom has no SVG transform lists to animate).
  window.history.replaceState(null, '', '/?motion=off');
  const store = createAppStore({ engine: createInProcessEngine() });
  store.getState().replaceScenario(scenario, { kind: 'new', edited: false });
  await store.idle();
  render(
    <StoreProvider store={store}>
      <WalkPanel />
    </StoreProvider>,
  );
  return store;
}

describe('the walk panel', () => {
  afterEach(() => {
    cleanup();
  });

  it('moves the store’s cursor with its buttons and keys, and follows it', async () => {
    const store = await mounted();
    const user = userEvent.setup();
    const slider = screen.getByRole('slider', { name: 'Timeline' });
    const last = (store.getState().run?.result.trace.length ?? 0) - 1;
    expect(slider.getAttribute('aria-valuemax')).toBe(String(last));
    // The run lands on its first moment that matters (state/landing.ts); the slider follows it.
    expect(slider.getAttribute('aria-valuenow')).toBe(String(store.getState().cursor));

    await user.click(screen.getByRole('button', { name: 'Jump to start' }));
    expect(store.getState().cursor).toBe(0);
    await user.click(screen.getByRole('button', { name: 'Step forward' }));
    await user.click(screen.getByRole('button', { name: 'Step forward' }));
    expect(slider.getAttribute('aria-valuenow')).toBe('2');
    await user.keyboard('{ArrowLeft}');
    expect(store.getState().cursor).toBe(1);
    await user.keyboard('{End}');
    expect(store.getState().cursor).toBe(last);
    await user.keyboard('{Home}');
    expect(store.getState().cursor).toBe(0);
    // The explanation and the pseudo-code follow the cursor.
    expect(screen.getByRole('region', { name: 'Step explanation' }).textContent).toContain(
      'PASID-cache descriptor',
    );
    const current = screen
      .getByRole('region', { name: 'Pseudo-code' })
      .querySelector('[aria-current="step"]');
    expect(current?.textContent).toContain('desc = read the queue');
  });

  it('plays and pauses, and changes speed', async () => {
    const store = await mounted();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Jump to start' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Speed' }), '8');
    expect(store.getState().speed).toBe(8);
    await user.click(screen.getByRole('button', { name: 'Play' }));
    expect(store.getState().playing).toBe(true);
    // The playback clock advances the cursor by itself.
    await act(() => new Promise((r) => setTimeout(r, 400)));
    expect(store.getState().cursor).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    expect(store.getState().playing).toBe(false);
    expect(screen.getByRole('button', { name: 'Play' })).toBeTruthy();
    await user.keyboard('{-}');
    expect(store.getState().speed).toBe(4);
  });

  it('draws the walk for the cursor’s event', async () => {
    const store = await mounted();
    const trace = store.getState().run!.result.trace;
    let created = -1;
    for (let i = 0; i < trace.length && created < 0; i++) {
      const isLeaf = eventKind(trace, i) === TraceKind.LeafChecked;
      if (isLeaf && leafOutcome(trace, i) === LeafOutcome.Created) created = i;
    }
    act(() => store.getState().seekTo(created));
    const row = document.querySelector('[data-key="cache:00:02.0:0x41"]');
    expect(row?.getAttribute('data-state')).toBe('created');
  });

  it('scrolls the active device’s lane into view when the drawing is taller than its box', async () => {
    const b = new ScenarioBuilder();
    const bdfs = Array.from(
      { length: 12 },
      (_, i) => `00:${(i + 2).toString(16).padStart(2, '0')}.0`,
    );
    for (const bdf of bdfs)
      b.device(bdf, { backend: 'iommufd' }).setPasidEntry(bdf, 1, b.defaultEntry(1));
    const store = await mounted(b.global().build());
    const box = document.querySelector<HTMLElement>('.walk-canvas')!;
    const svg = box.querySelector('svg')!;
    // jsdom lays nothing out: the box is as tall as the panel's fallback size (360 px).
    expect(Number(svg.getAttribute('height'))).toBeGreaterThan(360);
    const trace = store.getState().run!.result.trace;
    const firstOf = (device: number): number => {
      for (let i = 0; i < trace.length; i++) {
        if (eventKind(trace, i) === TraceKind.AccelDeviceBegin && trace.device[i] === device)
          return i;
      }
      return -1;
    };
    act(() => store.getState().seekTo(firstOf(bdfs.length - 1)));
    const down = box.scrollTop;
    expect(down).toBeGreaterThan(0);
    act(() => store.getState().seekTo(firstOf(0)));
    // Back up to the first lane (4 px above its top edge, so its border shows).
    expect(box.scrollTop).toBeLessThan(down);
    expect(box.scrollTop).toBeLessThanOrEqual(8);
  });
});

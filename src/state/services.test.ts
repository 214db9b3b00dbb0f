// The store's injected services: the playback clock, autosave and busy tracking are each replaced
// by a fake here, which proves the store reaches them only through what it is given.

import { describe, expect, it } from 'vitest';
import type { AutosaveFactory } from './services/autosave.ts';
import { createBusyTracker } from './services/busyTracker.ts';
import type { FrameClock } from './services/frameClock.ts';
import { EVENTS_PER_SECOND_AT_1X } from './slices/playbackSlice.ts';
import { createAppStore, type AppStoreOptions } from './store.ts';
import { fixtureText } from './testing/fixtures.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';

/** A clock the test steps by hand: `frame(now)` runs the callbacks waiting for the next frame. */
function manualClock(): FrameClock & { frame(now: number): void; readonly waiting: number } {
  let callbacks: ((now: number) => void)[] = [];
  return {
    requestFrame(callback) {
      callbacks.push(callback);
      return () => {
        callbacks = callbacks.filter((c) => c !== callback);
      };
    },
    frame(now) {
      const due = callbacks;
      callbacks = [];
      for (const c of due) c(now);
    },
    get waiting() {
      return callbacks.length;
    },
  };
}

async function storeWith(options: Partial<AppStoreOptions>) {
  const store = createAppStore({ engine: createInProcessEngine(), ...options });
  expect(await store.getState().importScenarioText(fixtureText, 'fixture.json')).toBe(true);
  return store;
}

/** Whether store.idle() resolves within a few macrotasks. */
async function settles(idle: Promise<void>): Promise<boolean> {
  let done = false;
  void idle.then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  return done;
}

describe('the playback clock', () => {
  it('advances the cursor by speed × events per second of the injected clock, and counts as busy', async () => {
    const clock = manualClock();
    const store = await storeWith({ clock });
    await store.idle();
    const last = (store.getState().run?.result.trace.length ?? 0) - 1;
    expect(last).toBeGreaterThan(4);
    store.getState().seekTo(0);
    store.getState().setSpeed(2);
    store.getState().play();
    expect(clock.waiting).toBe(1);
    expect(await settles(store.idle())).toBe(false); // a playing clock is a running animation
    clock.frame(1000); // the first frame only notes the time (and starts half-way to an event)
    expect(store.getState().cursor).toBe(0);
    // One second (in frames of 100 ms; a longer gap counts as 250 ms) at 2× is
    // 2 × EVENTS_PER_SECOND_AT_1X events, plus the half event carried in.
    for (let t = 1100; t <= 2000; t += 100) clock.frame(t);
    expect(store.getState().cursor).toBe(Math.floor(0.5 + 2 * EVENTS_PER_SECOND_AT_1X));
    store.getState().pause();
    expect(clock.waiting).toBe(0);
    expect(await settles(store.idle())).toBe(true);
  });

  it('stops at the last event', async () => {
    const clock = manualClock();
    const store = await storeWith({ clock });
    await store.idle();
    store.getState().seekTo(0);
    store.getState().play();
    clock.frame(1);
    for (let t = 251; clock.waiting > 0; t += 250) clock.frame(t);
    const last = (store.getState().run?.result.trace.length ?? 0) - 1;
    expect(store.getState().cursor).toBe(last);
    expect(store.getState().playing).toBe(false);
  });
});

describe('autosave as a service', () => {
  it('is asked to save on each scenario or source change, and idle() waits while it is busy', async () => {
    let schedules = 0;
    let busy = false;
    let settled: () => void = () => {};
    const autosave: AutosaveFactory = (context) => {
      settled = context.settled;
      return {
        load: () => undefined,
        schedule: () => {
          schedules++;
          busy = true;
        },
        flush: () => {},
        get busy() {
          return busy;
        },
        dispose: () => {},
      };
    };
    const store = await storeWith({ autosave });
    expect(schedules).toBe(1); // the imported scenario
    expect(await settles(store.idle())).toBe(false);
    busy = false;
    const idle = store.idle();
    settled();
    expect(await settles(idle)).toBe(true);
    store.getState().clearIqe();
    expect(schedules).toBe(2);
  });
});

describe('busy tracking as a service', () => {
  it('idle() waits for a load or an animation begun on the injected tracker', async () => {
    const busy = createBusyTracker();
    const store = await storeWith({ busy });
    await store.idle();
    const endAnimation = store.getState().beginAnimation();
    expect(busy.count('animation')).toBe(1);
    expect(await settles(store.idle())).toBe(false);
    endAnimation();
    endAnimation(); // ending twice counts once
    expect(busy.count()).toBe(0);
    expect(await settles(store.idle())).toBe(true);

    let finish: () => void = () => {};
    const load = store.getState().trackLoad(new Promise<void>((r) => (finish = r)));
    expect(store.getState().loading).toBe(1);
    expect(await settles(store.idle())).toBe(false);
    finish();
    await load;
    expect(store.getState().loading).toBe(0);
    expect(await settles(store.idle())).toBe(true);
  });
});

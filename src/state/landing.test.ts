import { describe, expect, it } from 'vitest';
import { LeafOutcome, TraceKind, type Trace } from '../model/index.ts';
import type { AppRun } from '../worker/protocol.ts';
import { stepOfEvent } from './cachesAtEvent.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';
import { firstMomentOfStep, landingFor, mattersForLanding } from './landing.ts';
import { createAppStore, type AppStore } from './store.ts';
import { fixtureText } from './testing/fixtures.ts';

async function loaded(): Promise<AppStore> {
  const store = createAppStore({ engine: createInProcessEngine() });
  expect(await store.getState().importScenarioText(fixtureText, 'fixture.json')).toBe(true);
  await store.idle();
  return store;
}

function traceOf(store: AppStore): Trace {
  const trace = store.getState().run?.result.trace;
  if (!trace) throw new Error('no run');
  return trace;
}

const isCreation = (t: Trace, i: number): boolean =>
  t.kind[i] === TraceKind.EmuCreated ||
  (t.kind[i] === TraceKind.LeafChecked && t.a[i] === LeafOutcome.Created);

describe('where the playhead lands', () => {
  it('opening a scenario lands on the first creation of the highlighted step, not the end', async () => {
    const store = await loaded();
    const s = store.getState();
    const t = traceOf(store);
    expect(s.cursor).toBeLessThan(t.length - 1);
    expect(stepOfEvent(t, s.cursor)).toBe(s.run?.focusStep);
    expect(isCreation(t, s.cursor)).toBe(true);
    // Nothing before it in the step matters.
    for (let i = t.stepStart[stepOfEvent(t, s.cursor)] ?? 0; i < s.cursor; i++) {
      expect(mattersForLanding(t, i)).toBe(false);
    }
    // Without a browser there is no motion: nothing plays.
    expect(s.playing).toBe(false);
  });

  it('Submit lands in the new step on its first moment; an entry edit shows the end', async () => {
    const store = await loaded();
    store.getState().submitInvalidation([7n | (2n << 16n), 0n, 0n, 0n]); // domain-selective, DID 2
    await store.idle();
    const t = traceOf(store);
    const cursor = store.getState().cursor;
    expect(stepOfEvent(t, cursor)).toBe(1);
    expect(cursor).toBe(firstMomentOfStep(t, 1));

    store.getState().setIommu({ queueWidth: 128 });
    await store.idle();
    expect(store.getState().cursor).toBe(traceOf(store).length - 1);
  });

  it('a variant switch keeps the step and the event’s place in it', async () => {
    const store = await loaded();
    const t = traceOf(store);
    const at = (t.stepStart[0] ?? 0) + 5;
    store.getState().seekTo(at);
    store.getState().setVariant('seed');
    await store.idle();
    const after = traceOf(store);
    expect(after).not.toBe(t);
    const cursor = store.getState().cursor;
    expect(stepOfEvent(after, cursor)).toBe(0);
    expect(cursor - (after.stepStart[0] ?? 0)).toBe(5);
  });

  it('plays from the landing only when motion is allowed', () => {
    const run = {
      focusStep: 0,
      result: {
        trace: fakeTrace([TraceKind.DescFetched, TraceKind.EmuCreated, TraceKind.SyncBegin]),
      },
    } as unknown as AppRun;
    expect(landingFor(run, { kind: 'opened' }, true)).toEqual({ cursor: 1, play: { until: 2 } });
    expect(landingFor(run, { kind: 'opened' }, false)).toEqual({ cursor: 1, play: false });
    expect(landingFor(run, { kind: 'edited' }, true)).toEqual({ cursor: 2, play: false });
    // A step with nothing in it that matters: walked from its start, or shown at its end.
    const quiet = {
      focusStep: 0,
      result: {
        trace: fakeTrace([TraceKind.DescFetched, TraceKind.SyncBegin, TraceKind.SyncBegin]),
      },
    } as unknown as AppRun;
    expect(landingFor(quiet, { kind: 'opened' }, true)).toEqual({ cursor: 0, play: { until: 2 } });
    expect(landingFor(quiet, { kind: 'opened' }, false)).toEqual({ cursor: 2, play: false });
  });
});

/** A one-step trace of these event kinds (other columns zero). */
function fakeTrace(kinds: readonly number[]): Trace {
  const n = kinds.length;
  return {
    length: n,
    kind: Uint8Array.from(kinds),
    fn: new Uint8Array(n),
    device: new Int16Array(n),
    pasid: new Uint32Array(n),
    count: new Uint32Array(n).fill(1),
    addr: new BigUint64Array(n),
    a: new Uint32Array(n),
    b: new Uint32Array(n),
    c: new Uint32Array(n),
    stepStart: Uint32Array.from([0, n]),
    fillDids: new Uint16Array(0),
    devices: ['00:02.0'],
  };
}

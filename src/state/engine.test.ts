import type * as Comlink from 'comlink';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { Scenario } from '../model/index.ts';
import {
  PROTOCOL_VERSION,
  SIMULATION_CALLS,
  type AppRun,
  type CallName,
  type EngineResult,
  type ParsedScenario,
  type ScenarioRequest,
  type SimulationApi,
  type WireRun,
} from '../worker/protocol.ts';
import { createSimulationApi } from '../worker/simulationApi.ts';
import {
  createWorkerEngine,
  type EngineAnswer,
  type SimulationEngine,
  type WorkerTransportOptions,
} from './engine.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';
import { createAppStore } from './store.ts';
import { ChannelWorker } from './testing/channelWorker.ts';
import { fixtureText } from './testing/fixtures.ts';

async function fixtureScenario(): Promise<Scenario> {
  const parsed = await createInProcessEngine().parseScenarioText(fixtureText);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value.scenario;
}

const workers: ChannelWorker[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.terminate();
});

function engineWith(
  makeApi: () => object,
  options: Omit<WorkerTransportOptions, 'createWorker'> = {},
) {
  const created: ChannelWorker[] = [];
  const engine = createWorkerEngine({
    ...options,
    createWorker: () => {
      const w = new ChannelWorker(makeApi());
      created.push(w);
      workers.push(w);
      return w;
    },
  });
  return { engine, created };
}

describe('WorkerEngine', () => {
  it('runs the scenario through the worker protocol (bigint words and typed arrays intact)', async () => {
    const { engine } = engineWith(createSimulationApi);
    const answer = await engine.run({ scenario: await fixtureScenario() });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.value.result.final.accel['00:02.0']?.map((e) => e.pasid)).toEqual([5, 0]);
    expect(answer.value.result.final.accel['00:02.0']?.[0]?.entry[1]).toBe(3n);
    expect(answer.value.result.trace.kind).toBeInstanceOf(Uint8Array);
    expect(engine.pending).toBe(0);
    engine.dispose();
  });

  it('a scenario with large memory crosses packed both ways and runs as it does in process', async () => {
    const base = await fixtureScenario();
    // 8,192 more words where no structure points: the scenario crosses in its packed form.
    const filler = Array.from({ length: 1024 }, (_, i) => ({
      addr: 0x4000_0000n + BigInt(i) * 64n,
      qwords: Array.from({ length: 8 }, (_, k) => BigInt(i * 8 + k + 1)),
    }));
    const scenario: Scenario = {
      ...base,
      iommu: { ...base.iommu, guestRamBytes: 0x8000_0000n },
      memory: [...base.memory, ...filler],
    };
    const { engine } = engineWith(createSimulationApi);
    const viaWorker = await engine.run({ scenario });
    const inProcess = await createInProcessEngine().run({ scenario });
    if (!viaWorker.ok || !inProcess.ok) throw new Error('run failed');
    expect(viaWorker.value.result.final).toEqual(inProcess.value.result.final);
    expect(viaWorker.value.result.steps).toEqual(inProcess.value.result.steps);
    // And back: a parse answer carries the blocks, restored exactly.
    const text = await engine.fileText({ scenario });
    if (!text.ok) throw new Error(text.error.message);
    const parsed = await engine.parseScenarioText(text.value);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.scenario.memory).toEqual(scenario.memory);
    engine.dispose();
  });

  it('returns expected failures as values', async () => {
    const { engine } = engineWith(createSimulationApi);
    const answer = await engine.parseScenarioText('{"format": 1}');
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.kind).toBe('invalid-scenario');
    engine.dispose();
  });

  it('a request past the time bound gets an error; the worker is restarted for the next one', async () => {
    let calls = 0;
    const { engine, created } = engineWith(
      () => {
        const real = createSimulationApi();
        return {
          ...real,
          // The first worker hangs forever on run; its replacement answers.
          run: (r: Parameters<SimulationApi['run']>[0]) =>
            calls++ === 0 ? new Promise<never>(() => {}) : real.run(r),
        };
      },
      { timeoutMs: 50 },
    );
    const scenario = await fixtureScenario();
    const first = await engine.run({ scenario });
    expect(first).toEqual({
      ok: false,
      error: { kind: 'timeout', message: expect.stringMatching(/took longer/) as string },
    });
    expect(created[0]?.terminated).toBe(true);
    const second = await engine.run({ scenario });
    expect(second.ok).toBe(true);
    expect(created).toHaveLength(2);
    engine.dispose();
  });

  it('a worker that dies answers its pending request with an error and is replaced', async () => {
    const { engine, created } = engineWith(() => ({
      ...createSimulationApi(),
      run: () => new Promise<never>(() => {}),
    }));
    const pending = engine.run({ scenario: await fixtureScenario() });
    await new Promise((r) => setTimeout(r, 10));
    created[0]?.crash();
    const answer = await pending;
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.kind).toBe('worker-crashed');
    expect(created[0]?.terminated).toBe(true);
    expect(engine.pending).toBe(0);
    engine.dispose();
  });

  it('refuses a worker of another protocol version', async () => {
    const { engine } = engineWith(() => ({
      ...createSimulationApi(),
      hello: () => ({ protocolVersion: 999 }),
    }));
    const answer = await engine.run({ scenario: await fixtureScenario() });
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.kind).toBe('protocol-mismatch');
    engine.dispose();
  });

  it('cancels a long run when a newer run arrives', async () => {
    let calls = 0;
    const { engine, created } = engineWith(
      () => {
        const real = createSimulationApi();
        return {
          ...real,
          run: (r: Parameters<SimulationApi['run']>[0]) =>
            calls++ === 0 ? new Promise<never>(() => {}) : real.run(r),
        };
      },
      { cancelAfterMs: 20 },
    );
    const scenario = await fixtureScenario();
    const old = engine.run({ scenario });
    await new Promise((r) => setTimeout(r, 40));
    const fresh = engine.run({ scenario });
    expect(await old).toEqual({
      ok: false,
      error: { kind: 'cancelled', message: expect.stringMatching(/newer run/) as string },
    });
    expect((await fresh).ok).toBe(true);
    expect(created[0]?.terminated).toBe(true);
    engine.dispose();
  });
});

describe('a superseded run', () => {
  it('is cancelled, and the store never shows it as an error', async () => {
    let calls = 0;
    const { engine } = engineWith(
      () => {
        const real = createSimulationApi();
        return {
          ...real,
          run: (r: ScenarioRequest) => (calls++ === 0 ? new Promise<never>(() => {}) : real.run(r)),
        };
      },
      { cancelAfterMs: 20 },
    );
    const store = createAppStore({ engine });
    const statuses: string[] = [];
    const announced: string[] = [];
    store.subscribe((s, prev) => {
      if (s.runStatus !== prev.runStatus) statuses.push(s.runStatus);
      if (s.announcement !== prev.announcement) announced.push(s.announcement);
    });
    const scenario = await fixtureScenario();
    store.getState().replaceScenario(scenario, { kind: 'new', edited: false });
    await new Promise((r) => setTimeout(r, 40)); // the first run hangs in the worker
    store.getState().submitInvalidation([7n | (3n << 4n), 0n, 0n, 0n]);
    await store.idle();
    expect(store.getState().runStatus).toBe('done');
    expect(store.getState().runError).toBeUndefined();
    expect(statuses).not.toContain('error');
    expect(announced.some((a) => a.startsWith('Not run'))).toBe(false);
    store.dispose();
  });
});

describe('the call list', () => {
  it('names every method of the API but the handshake, and the engine has each of them', () => {
    const apiCalls = Object.keys(createSimulationApi()).filter((name) => name !== 'hello');
    expect(Object.keys(SIMULATION_CALLS).sort()).toEqual(apiCalls.sort());
    const engine = createInProcessEngine();
    for (const name of apiCalls) expect(typeof engine[name as CallName]).toBe('function');
  });

  it('a fork answers on its own worker and leaves the first one alone', async () => {
    const { engine, created } = engineWith(createSimulationApi);
    const scenario = await fixtureScenario();
    expect((await engine.run({ scenario })).ok).toBe(true);
    const fork = engine.fork();
    expect((await fork.run({ scenario })).ok).toBe(true);
    expect(created).toHaveLength(2);
    fork.dispose();
    expect(created[1]?.terminated).toBe(true);
    expect(created[0]?.terminated).toBe(false);
    engine.dispose();
  });
});

describe('the seam types', () => {
  it('Comlink turns every API method into a promise of the same data', () => {
    type Remote = Comlink.Remote<SimulationApi>;
    expectTypeOf<Awaited<ReturnType<Remote['run']>>>().toEqualTypeOf<EngineResult<WireRun>>();
    expectTypeOf<Awaited<ReturnType<Remote['parseScenarioText']>>>().toEqualTypeOf<
      EngineResult<ParsedScenario>
    >();
    expectTypeOf<Awaited<ReturnType<Remote['hello']>>>().toEqualTypeOf<{
      readonly protocolVersion: number;
    }>();
    expect(createSimulationApi().hello().protocolVersion).toBe(PROTOCOL_VERSION);
  });

  it("the engine takes each call's own parameters and answers with its own result", () => {
    expectTypeOf<Parameters<SimulationEngine['run']>>().toEqualTypeOf<[ScenarioRequest]>();
    expectTypeOf<ReturnType<SimulationEngine['run']>>().toEqualTypeOf<
      Promise<EngineResult<AppRun>>
    >();
    expectTypeOf<Parameters<SimulationEngine['parseScenarioText']>>().toEqualTypeOf<[string]>();
    expectTypeOf<Parameters<SimulationEngine['debugfsDump']>>().toEqualTypeOf<
      Parameters<SimulationApi['debugfsDump']>
    >();
    expectTypeOf<EngineAnswer<'compareVariants'>>().toEqualTypeOf<
      ReturnType<SimulationApi['compareVariants']>
    >();
    // Async API methods are not wrapped twice.
    expectTypeOf<EngineAnswer<'packScenario'>>().toEqualTypeOf<EngineResult<string>>();
    // The handshake is the engine's business, not a call.
    expectTypeOf<CallName>().not.toEqualTypeOf<keyof SimulationApi>();
    expectTypeOf<'hello'>().not.toExtend<CallName>();
    expect(Object.keys(SIMULATION_CALLS)).not.toContain('hello');
  });

  it("every call answers with an EngineResult (the engine's error values fit any call)", () => {
    expectTypeOf<EngineAnswer<CallName>>().toExtend<EngineResult<unknown>>();
    expectTypeOf<keyof typeof SIMULATION_CALLS>().toEqualTypeOf<CallName>();
    expect(Object.values(SIMULATION_CALLS).filter((lane) => lane === 'run')).toEqual(['run']);
  });
});

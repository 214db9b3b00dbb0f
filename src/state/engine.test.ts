import * as Comlink from 'comlink';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { Scenario } from '../model/index.ts';
import {
  PROTOCOL_VERSION,
  type WireRun,
  type EngineResult,
  type ParsedScenario,
  type SimulationApi,
} from '../worker/protocol.ts';
import { createSimulationApi } from '../worker/simulationApi.ts';
import { WorkerEngine, type WorkerLike } from './engine.ts';
import { createInProcessEngine } from './inProcessEngine.ts';
import { fixtureText } from './testing/fixtures.ts';

// A stand-in for a module worker: the real API exposed with Comlink over a MessageChannel, so the
// engine speaks exactly the protocol it speaks to the real worker. `crash()` fires the worker's error
// event; `terminate()` closes the channel.
class ChannelWorker implements WorkerLike {
  readonly channel = new MessageChannel();
  terminated = false;
  readonly #errorListeners = new Set<(ev: Event) => void>();
  constructor(api: object) {
    Comlink.expose(api, this.channel.port2);
  }
  postMessage(message: unknown, transfer: Transferable[]): void {
    this.channel.port1.postMessage(message, transfer);
  }
  addEventListener(type: string, listener: (ev: Event) => void): void {
    if (type === 'error') this.#errorListeners.add(listener);
    else this.channel.port1.addEventListener(type, listener);
  }
  removeEventListener(type: string, listener: (ev: Event) => void): void {
    if (type === 'error') this.#errorListeners.delete(listener);
    else this.channel.port1.removeEventListener(type, listener);
  }
  start(): void {
    this.channel.port1.start();
  }
  terminate(): void {
    this.terminated = true;
    this.channel.port1.close();
    this.channel.port2.close();
  }
  crash(): void {
    for (const l of this.#errorListeners) l(new Event('error'));
  }
}

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
  options: { timeoutMs?: number; cancelAfterMs?: number } = {},
) {
  const created: ChannelWorker[] = [];
  const engine = new WorkerEngine({
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
    const answer = await engine.run(await fixtureScenario());
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.value.result.final.accel['00:02.0']?.map((e) => e.pasid)).toEqual([5, 0]);
    expect(answer.value.result.final.accel['00:02.0']?.[0]?.entry[1]).toBe(3n);
    expect(answer.value.result.trace.kind).toBeInstanceOf(Uint8Array);
    expect(engine.pending).toBe(0);
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
    const first = await engine.run(scenario);
    expect(first).toEqual({
      ok: false,
      error: { kind: 'timeout', message: expect.stringMatching(/took longer/) as string },
    });
    expect(created[0]?.terminated).toBe(true);
    const second = await engine.run(scenario);
    expect(second.ok).toBe(true);
    expect(created).toHaveLength(2);
    engine.dispose();
  });

  it('a worker that dies answers its pending request with an error and is replaced', async () => {
    const { engine, created } = engineWith(() => ({
      ...createSimulationApi(),
      run: () => new Promise<never>(() => {}),
    }));
    const pending = engine.run(await fixtureScenario());
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
    const answer = await engine.run(await fixtureScenario());
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
    const old = engine.run(scenario);
    await new Promise((r) => setTimeout(r, 40));
    const fresh = engine.run(scenario);
    expect((await old).ok).toBe(false);
    expect((await fresh).ok).toBe(true);
    expect(created[0]?.terminated).toBe(true);
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
});

// The simulation engine as the store sees it: one method per call of the seam's list
// (SIMULATION_CALLS in worker/protocol.ts), each typed from the API itself, all going through one
// call path over one of two transports:
// - the worker transport runs the API in a module Web Worker through Comlink. A request that
//   outlives the time bound, or a worker that dies, gets the worker terminated and recreated on the
//   next call; the caller receives an error value. Nothing the user edited lives in the worker, so a
//   restart loses nothing. A run still computing when a newer run arrives is cancelled (restart).
// - the in-process transport calls the same API object directly (tests, and browsers without module
//   workers).
// "Latest request wins" is decided by the store (generation numbers); the worker transport only
// saves the time of a run whose answer the store would throw away.

import * as Comlink from 'comlink';
import {
  isWireScenario,
  mapScenarioField,
  scenarioFromWirePieces,
  scenarioToWire,
  type WireScenario,
} from '../shared/memoryWire.ts';
import { appRunResult } from './appRun.ts';
import { workInSlices } from './yieldToMain.ts';
import {
  PROTOCOL_VERSION,
  SIMULATION_CALLS,
  type AppRun,
  type CallLane,
  type CallName,
  type EngineError,
  type EngineResult,
  type SimulationApi,
} from '../worker/protocol.ts';

/** The answer of call K as the page gets it: the API's answer, except that a run is completed on
 * the page (AppRun: `result.final` made from the cache columns when first read). */
export type EngineAnswer<K extends CallName> = K extends 'run'
  ? EngineResult<AppRun>
  : Awaited<ReturnType<SimulationApi[K]>>;

/** Every call of the list, with the API's own parameters, answered asynchronously. */
export type EngineCalls = {
  readonly [K in CallName]: (...args: Parameters<SimulationApi[K]>) => Promise<EngineAnswer<K>>;
};

export interface SimulationEngine extends EngineCalls {
  /** Requests sent and not yet answered (for the idle hook). */
  readonly pending: number;
  /** Called whenever `pending` changes. */
  onPendingChange(listener: () => void): () => void;
  /** A second engine of the same kind with a worker of its own, for work that must not queue
   * behind (or cancel) the app's runs, such as the cost chart's measurements. */
  fork(): SimulationEngine;
  dispose(): void;
}

/** The API's raw answer to call K, before the page completes it. */
type ApiAnswer<K extends CallName> = Awaited<ReturnType<SimulationApi[K]>>;

/** How a call reaches the API: in this thread or in a worker. */
export interface Transport {
  call<K extends CallName>(
    name: K,
    args: Parameters<SimulationApi[K]>,
    lane: CallLane,
  ): Promise<ApiAnswer<K>>;
  /** A transport of the same kind with its own worker (or API object). */
  fork(): Transport;
  dispose(): void;
}

/** Calls `api[name](...args)`: the one place a call name meets the API object's methods. */
function invoke<K extends CallName>(
  api: SimulationApi | Comlink.Remote<SimulationApi>,
  name: K,
  args: Parameters<SimulationApi[K]>,
): Promise<ApiAnswer<K>> {
  const method = api[name] as (...a: Parameters<SimulationApi[K]>) => unknown;
  return Promise.resolve(method(...args)) as Promise<ApiAnswer<K>>;
}

function completeAnswer<K extends CallName>(name: K, answer: ApiAnswer<K>): EngineAnswer<K> {
  // A run is the one answer the page completes; every other answer is used as it comes.
  return (name === 'run' ? appRunResult(answer as ApiAnswer<'run'>) : answer) as EngineAnswer<K>;
}

/** The engine over a transport: one method per entry of SIMULATION_CALLS, one call path. */
export function createEngine(transport: Transport): SimulationEngine {
  let pending = 0;
  const listeners = new Set<() => void>();
  const emit = (): void => {
    for (const l of listeners) l();
  };
  async function call<K extends CallName>(
    name: K,
    args: Parameters<SimulationApi[K]>,
  ): Promise<EngineAnswer<K>> {
    pending++;
    emit();
    try {
      return completeAnswer(name, await transport.call(name, args, SIMULATION_CALLS[name]));
    } finally {
      pending--;
      emit();
    }
  }
  const names = Object.keys(SIMULATION_CALLS) as CallName[];
  const calls = Object.fromEntries(
    names.map((name) => [name, (...args: Parameters<SimulationApi[CallName]>) => call(name, args)]),
  ) as unknown as EngineCalls;
  return {
    ...calls,
    get pending() {
      return pending;
    },
    onPendingChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fork: () => createEngine(transport.fork()),
    dispose: () => transport.dispose(),
  };
}

/**
 * Runs the API in this thread (tests; browsers without module workers). Answers are still
 * asynchronous, like the worker's. Takes the API (or a promise of it, so the model can be loaded
 * lazily and stay out of the page's first bundle); see inProcessEngine.ts for the usual one.
 */
export function inProcessTransport(api: SimulationApi | Promise<SimulationApi>): Transport {
  const ready = Promise.resolve(api);
  return {
    call: (name, args) => ready.then((a) => invoke(a, name, args)),
    fork: () => inProcessTransport(ready),
    dispose: () => {},
  };
}

/** The part of a Worker the engine uses; tests substitute a fake. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: string, listener: (ev: Event) => void): void;
  removeEventListener(type: string, listener: (ev: Event) => void): void;
  terminate(): void;
}

export interface WorkerTransportOptions {
  /** Creates the worker; the default loads src/worker/simulation.worker.ts as a module worker. */
  readonly createWorker?: () => WorkerLike;
  /** A request taking longer than this is abandoned and the worker restarted (ms). */
  readonly timeoutMs?: number;
  /** A run still going after this long is cancelled (worker restarted) when a newer run arrives. */
  readonly cancelAfterMs?: number;
  /** Told each time the worker is terminated (tests count restarts). */
  readonly onRestart?: () => void;
}

interface WorkerHandle {
  readonly api: Comlink.Remote<SimulationApi>;
  readonly ready: Promise<EngineResult<true>>;
}

interface InFlight {
  readonly lane: CallLane;
  readonly started: number;
  settle(result: EngineResult<never>): void;
}

type RestartReason = 'timeout' | 'crashed' | 'superseded' | 'disposed';

function failure(kind: EngineError['kind'], message: string): EngineResult<never> {
  return { ok: false, error: { kind, message } };
}

/** What the requests still in flight are told when the worker is restarted. */
function restartError(reason: RestartReason, message: string | undefined): EngineError {
  switch (reason) {
    case 'timeout':
      return {
        kind: 'timeout',
        message: message ?? 'The simulation took too long and was stopped.',
      };
    case 'superseded':
      return { kind: 'cancelled', message: 'Cancelled: a newer run replaced this one.' };
    case 'crashed':
    case 'disposed':
      return {
        kind: 'worker-crashed',
        message: message ?? 'The simulation worker stopped and was restarted.',
      };
  }
}

/** A call's arguments as the worker gets them: large scenario memory packed (memoryWire.ts). */
function argsToWire<A extends readonly unknown[]>(args: A): A {
  return args.map((a) => mapScenarioField(a, scenarioToWire)) as unknown as A;
}

/** An answer carrying a packed scenario, unpacked a slice at a time (16,385 blocks of a
 * 2^20-PASID scenario would otherwise be one long task). */
async function answerFromWire<T>(answer: T): Promise<T> {
  let wire: WireScenario | undefined;
  mapScenarioField(answer, (s) => {
    if (isWireScenario(s)) wire = s;
    return s;
  });
  if (!wire) return answer;
  const { scenario, pieces } = scenarioFromWirePieces(wire);
  await workInSlices(pieces);
  return mapScenarioField(answer, () => scenario);
}

function defaultWorker(): WorkerLike {
  return new Worker(new URL('../worker/simulation.worker.ts', import.meta.url), {
    type: 'module',
    name: 'pasidscope-simulation',
  });
}

/** Runs the API in a module worker (created lazily, recreated after a restart). */
export function workerTransport(options: WorkerTransportOptions = {}): Transport {
  const createWorker = options.createWorker ?? defaultWorker;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const cancelAfterMs = options.cancelAfterMs ?? 150;
  let worker: WorkerLike | undefined;
  let handle: WorkerHandle | undefined;
  let onError: ((ev: Event) => void) | undefined;
  const inFlight = new Set<InFlight>();

  function restart(reason: RestartReason, message?: string): void {
    if (worker) {
      if (onError) worker.removeEventListener('error', onError);
      worker.terminate();
      options.onRestart?.();
    }
    worker = undefined;
    handle = undefined;
    const error = restartError(reason, message);
    const settling = [...inFlight];
    inFlight.clear();
    for (const f of settling) f.settle({ ok: false, error });
  }

  function ensure(): WorkerHandle {
    if (handle) return handle;
    const created = createWorker();
    onError = (ev: Event): void => {
      const text = 'message' in ev && typeof ev.message === 'string' ? ev.message : '';
      restart('crashed', `The simulation worker stopped${text ? `: ${text}` : ''}.`);
    };
    created.addEventListener('error', onError);
    worker = created;
    const api = Comlink.wrap<SimulationApi>(created);
    const ready = api
      .hello()
      .then((h): EngineResult<true> =>
        h.protocolVersion === PROTOCOL_VERSION
          ? { ok: true, value: true }
          : failure(
              'protocol-mismatch',
              `The simulation worker speaks protocol ${h.protocolVersion}, the page ${PROTOCOL_VERSION}: reload the page.`,
            ),
      );
    handle = { api, ready };
    return handle;
  }

  /** A run already computing for a while will be thrown away by the store anyway: restart the
   * worker instead of queueing behind it (only when nothing but runs is in flight). Short runs are
   * simply queued. */
  function cancelStaleRuns(): void {
    const now = performance.now();
    const all = [...inFlight];
    const stale = all.some((f) => f.lane === 'run' && now - f.started > cancelAfterMs);
    if (stale && all.every((f) => f.lane === 'run')) restart('superseded');
  }

  return {
    call<K extends CallName>(
      name: K,
      args: Parameters<SimulationApi[K]>,
      lane: CallLane,
    ): Promise<ApiAnswer<K>> {
      if (lane === 'run') cancelStaleRuns();
      // Every API answer is an EngineResult (checked in the seam's type tests), so an error value
      // raised here is a valid answer of any call.
      let settle!: (r: unknown) => void;
      const outcome = new Promise<unknown>((resolve) => {
        settle = resolve;
      });
      const entry: InFlight = { lane, started: performance.now(), settle };
      inFlight.add(entry);
      const timer = setTimeout(() => {
        restart(
          'timeout',
          `The simulation took longer than ${Math.round(timeoutMs / 1000)} s and was stopped.`,
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        inFlight.delete(entry);
      };
      let current: WorkerHandle;
      try {
        current = ensure();
      } catch (e) {
        done();
        return Promise.resolve(
          failure('worker-crashed', `The simulation worker could not start: ${String(e)}`),
        ) as Promise<ApiAnswer<K>>;
      }
      current.ready
        .then((hello): Promise<unknown> | EngineResult<never> =>
          hello.ok ? invoke(current.api, name, argsToWire(args)).then(answerFromWire) : hello,
        )
        .then(settle, (e: unknown) =>
          settle(
            failure(
              'model-error',
              `The simulation failed: ${e instanceof Error ? e.message : String(e)}`,
            ),
          ),
        );
      return outcome.finally(done) as Promise<ApiAnswer<K>>;
    },
    fork: () => workerTransport(options),
    dispose: () => restart('disposed'),
  };
}

export function createWorkerEngine(options: WorkerTransportOptions = {}): SimulationEngine {
  return createEngine(workerTransport(options));
}

/** The engine the app uses: a worker where the browser has them, otherwise in-process (loaded
 * on demand, so the model and its parser are not in the page's first bundle). */
export function createDefaultEngine(): SimulationEngine {
  if (typeof Worker === 'function') return createWorkerEngine();
  return createEngine(
    inProcessTransport(import('../worker/simulationApi.ts').then((m) => m.createSimulationApi())),
  );
}

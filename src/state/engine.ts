// The simulation engine as the store sees it: one interface, two implementations.
// - WorkerEngine runs the model in a module Web Worker through Comlink. A request that outlives the
//   time bound, or a worker that dies, gets the worker terminated and recreated on the next call; the
//   caller receives an error value. Nothing the user edited lives in the worker, so a restart loses
//   nothing.
// - InProcessEngine calls the same API object directly (tests, and a fallback where Workers are absent).
// "Latest request wins" is decided by the store (generation numbers); the worker engine also cancels a
// long run that a newer run makes pointless, by restarting the worker rather than waiting for it.

import * as Comlink from 'comlink';
import type { Scenario } from '../model/index.ts';
import { appRunResult } from './appRun.ts';
import {
  PROTOCOL_VERSION,
  type AppComparison,
  type AppRun,
  type DebugfsDump,
  type DebugfsImportChoices,
  type EngineError,
  type EngineResult,
  type ImportedScenario,
  type ParsedScenario,
  type SimulationApi,
  type TraceImportRequest,
} from '../worker/protocol.ts';

export interface SimulationEngine {
  run(scenario: Scenario): Promise<EngineResult<AppRun>>;
  parseScenarioText(text: string): Promise<EngineResult<ParsedScenario>>;
  packScenario(scenario: Scenario): Promise<EngineResult<string>>;
  parsePackedScenario(packed: string): Promise<EngineResult<ParsedScenario>>;
  fileText(scenario: Scenario, indent?: number): Promise<EngineResult<string>>;
  /** The share-link fragment of a scenario, compressed off the page's thread. */
  shareFragment(scenario: Scenario): Promise<EngineResult<string>>;
  /** A Linux dmar_translation_struct dump as a new scenario. */
  importDebugfs(
    text: string,
    options?: DebugfsImportChoices,
  ): Promise<EngineResult<ImportedScenario>>;
  /** A QEMU trace log's descriptors appended to `request.base`. */
  importQemuTrace(request: TraceImportRequest): Promise<EngineResult<ImportedScenario>>;
  /** The scenario under every variant: where they part. */
  compareVariants(scenario: Scenario): Promise<EngineResult<AppComparison>>;
  /** What the guest's debugfs would print (before step `step`; default after the last one). */
  debugfsDump(scenario: Scenario, step?: number): Promise<EngineResult<DebugfsDump>>;
  /** Requests sent and not yet answered (for the idle hook). */
  readonly pending: number;
  /** Called whenever `pending` changes. */
  onPendingChange(listener: () => void): () => void;
  dispose(): void;
}

abstract class PendingCounter {
  #pending = 0;
  readonly #listeners = new Set<() => void>();
  get pending(): number {
    return this.#pending;
  }
  onPendingChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  protected async track<T>(work: Promise<T>): Promise<T> {
    this.#pending++;
    this.#emit();
    try {
      return await work;
    } finally {
      this.#pending--;
      this.#emit();
    }
  }
  #emit(): void {
    for (const l of this.#listeners) l();
  }
}

function crashed(kind: EngineError['kind'], message: string): EngineResult<never> {
  return { ok: false, error: { kind, message } };
}

/**
 * Runs the API in this thread (tests; browsers without module workers). Answers are still
 * asynchronous, like the worker's. Takes the API (or a promise of it, so the model can be loaded
 * lazily and stay out of the page's first bundle); see inProcessEngine.ts for the usual one.
 */
export class InProcessEngine extends PendingCounter implements SimulationEngine {
  readonly #api: Promise<SimulationApi>;
  constructor(api: SimulationApi | Promise<SimulationApi>) {
    super();
    this.#api = Promise.resolve(api);
  }
  run(scenario: Scenario): Promise<EngineResult<AppRun>> {
    return this.track(this.#api.then((api) => appRunResult(api.run({ scenario }))));
  }
  parseScenarioText(text: string): Promise<EngineResult<ParsedScenario>> {
    return this.track(this.#api.then((api) => api.parseScenarioText(text)));
  }
  packScenario(scenario: Scenario): Promise<EngineResult<string>> {
    return this.track(this.#api.then((api) => api.packScenario({ scenario })));
  }
  parsePackedScenario(packed: string): Promise<EngineResult<ParsedScenario>> {
    return this.track(this.#api.then((api) => api.parsePackedScenario(packed)));
  }
  fileText(scenario: Scenario, indent?: number): Promise<EngineResult<string>> {
    return this.track(
      this.#api.then((api) =>
        api.fileText(indent === undefined ? { scenario } : { scenario, indent }),
      ),
    );
  }
  shareFragment(scenario: Scenario): Promise<EngineResult<string>> {
    return this.track(this.#api.then((api) => api.shareFragment({ scenario })));
  }
  importDebugfs(
    text: string,
    options?: DebugfsImportChoices,
  ): Promise<EngineResult<ImportedScenario>> {
    return this.track(
      this.#api.then((api) => api.importDebugfs(options ? { text, options } : { text })),
    );
  }
  importQemuTrace(request: TraceImportRequest): Promise<EngineResult<ImportedScenario>> {
    return this.track(this.#api.then((api) => api.importQemuTrace(request)));
  }
  compareVariants(scenario: Scenario): Promise<EngineResult<AppComparison>> {
    return this.track(this.#api.then((api) => api.compareVariants({ scenario })));
  }
  debugfsDump(scenario: Scenario, step?: number): Promise<EngineResult<DebugfsDump>> {
    return this.track(
      this.#api.then((api) =>
        api.debugfsDump(step === undefined ? { scenario } : { scenario, step }),
      ),
    );
  }
  dispose(): void {}
}

/** The part of a Worker the engine uses; tests substitute a fake. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: string, listener: (ev: Event) => void): void;
  removeEventListener(type: string, listener: (ev: Event) => void): void;
  terminate(): void;
}

export interface WorkerEngineOptions {
  /** Creates the worker; the default loads src/worker/simulation.worker.ts as a module worker. */
  readonly createWorker?: () => WorkerLike;
  /** A request taking longer than this is abandoned and the worker restarted (ms). */
  readonly timeoutMs?: number;
  /** A run still going after this long is cancelled (worker restarted) when a newer run arrives. */
  readonly cancelAfterMs?: number;
}

interface WorkerHandle {
  readonly api: Comlink.Remote<SimulationApi>;
  readonly ready: Promise<EngineResult<true>>;
}

interface InFlight {
  readonly kind: 'run' | 'other';
  readonly started: number;
  settle(result: EngineResult<never>): void;
}

function defaultWorker(): WorkerLike {
  return new Worker(new URL('../worker/simulation.worker.ts', import.meta.url), {
    type: 'module',
    name: 'pasidscope-simulation',
  });
}

export class WorkerEngine extends PendingCounter implements SimulationEngine {
  readonly #createWorker: () => WorkerLike;
  readonly #timeoutMs: number;
  readonly #cancelAfterMs: number;
  #worker: WorkerLike | undefined;
  #api: Comlink.Remote<SimulationApi> | undefined;
  #ready: Promise<EngineResult<true>> | undefined;
  readonly #inFlight = new Set<InFlight>();
  #onError: ((ev: Event) => void) | undefined;
  /** How many times the worker was restarted (for tests and the status line). */
  restarts = 0;

  constructor(options: WorkerEngineOptions = {}) {
    super();
    this.#createWorker = options.createWorker ?? defaultWorker;
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#cancelAfterMs = options.cancelAfterMs ?? 150;
  }

  run(scenario: Scenario): Promise<EngineResult<AppRun>> {
    // A run already computing for a while will be thrown away by the store anyway: restart the worker
    // instead of queueing behind it. Short runs are simply queued.
    const now = performance.now();
    for (const f of this.#inFlight) {
      if (f.kind === 'run' && now - f.started > this.#cancelAfterMs) {
        if ([...this.#inFlight].every((g) => g.kind === 'run')) {
          this.#restart('superseded');
        }
        break;
      }
    }
    return this.track(
      this.#call('run', (api) => api.run({ scenario })).then((r) => appRunResult(r)),
    );
  }

  parseScenarioText(text: string): Promise<EngineResult<ParsedScenario>> {
    return this.track(this.#call('other', (api) => api.parseScenarioText(text)));
  }

  packScenario(scenario: Scenario): Promise<EngineResult<string>> {
    return this.track(this.#call('other', (api) => api.packScenario({ scenario })));
  }

  parsePackedScenario(packed: string): Promise<EngineResult<ParsedScenario>> {
    return this.track(this.#call('other', (api) => api.parsePackedScenario(packed)));
  }

  fileText(scenario: Scenario, indent?: number): Promise<EngineResult<string>> {
    return this.track(
      this.#call('other', (api) =>
        api.fileText(indent === undefined ? { scenario } : { scenario, indent }),
      ),
    );
  }

  shareFragment(scenario: Scenario): Promise<EngineResult<string>> {
    return this.track(this.#call('other', (api) => api.shareFragment({ scenario })));
  }

  importDebugfs(
    text: string,
    options?: DebugfsImportChoices,
  ): Promise<EngineResult<ImportedScenario>> {
    return this.track(
      this.#call('other', (api) => api.importDebugfs(options ? { text, options } : { text })),
    );
  }

  importQemuTrace(request: TraceImportRequest): Promise<EngineResult<ImportedScenario>> {
    return this.track(this.#call('other', (api) => api.importQemuTrace(request)));
  }

  compareVariants(scenario: Scenario): Promise<EngineResult<AppComparison>> {
    return this.track(this.#call('other', (api) => api.compareVariants({ scenario })));
  }

  debugfsDump(scenario: Scenario, step?: number): Promise<EngineResult<DebugfsDump>> {
    return this.track(
      this.#call('other', (api) =>
        api.debugfsDump(step === undefined ? { scenario } : { scenario, step }),
      ),
    );
  }

  dispose(): void {
    this.#restart('disposed');
  }

  #ensure(): WorkerHandle {
    if (!this.#api || !this.#ready || !this.#worker) {
      const worker = this.#createWorker();
      const onError = (ev: Event): void => {
        const message = 'message' in ev && typeof ev.message === 'string' ? ev.message : '';
        const detail = message ? `: ${message}` : '';
        this.#restart('crashed', `The simulation worker stopped${detail}.`);
      };
      worker.addEventListener('error', onError);
      this.#onError = onError;
      this.#worker = worker;
      const api = Comlink.wrap<SimulationApi>(worker);
      this.#api = api;
      this.#ready = api
        .hello()
        .then((h): EngineResult<true> =>
          h.protocolVersion === PROTOCOL_VERSION
            ? { ok: true, value: true }
            : crashed(
                'protocol-mismatch',
                `The simulation worker speaks protocol ${h.protocolVersion}, the page ${PROTOCOL_VERSION}: reload the page.`,
              ),
        );
    }
    return { api: this.#api, ready: this.#ready };
  }

  #call<T>(
    kind: InFlight['kind'],
    invoke: (api: Comlink.Remote<SimulationApi>) => Promise<EngineResult<T>>,
  ): Promise<EngineResult<T>> {
    let settle!: (r: EngineResult<T>) => void;
    const outcome = new Promise<EngineResult<T>>((resolve) => (settle = resolve));
    const entry: InFlight = { kind, started: performance.now(), settle };
    this.#inFlight.add(entry);
    const timer = setTimeout(() => {
      this.#restart(
        'timeout',
        `The simulation took longer than ${Math.round(this.#timeoutMs / 1000)} s and was stopped.`,
      );
    }, this.#timeoutMs);
    let handle: WorkerHandle;
    try {
      handle = this.#ensure();
    } catch (e) {
      clearTimeout(timer);
      this.#inFlight.delete(entry);
      return Promise.resolve(
        crashed('worker-crashed', `The simulation worker could not start: ${String(e)}`),
      );
    }
    handle.ready
      .then((hello) => (hello.ok ? invoke(handle.api) : hello))
      .then(
        (r) => settle(r),
        (e: unknown) =>
          settle(
            crashed(
              'model-error',
              `The simulation failed: ${e instanceof Error ? e.message : String(e)}`,
            ),
          ),
      );
    return outcome.finally(() => {
      clearTimeout(timer);
      this.#inFlight.delete(entry);
    });
  }

  #restart(reason: 'timeout' | 'crashed' | 'superseded' | 'disposed', message?: string): void {
    const worker = this.#worker;
    if (worker) {
      if (this.#onError) worker.removeEventListener('error', this.#onError);
      worker.terminate();
      this.restarts++;
    }
    this.#worker = undefined;
    this.#api = undefined;
    this.#ready = undefined;
    const error: EngineError =
      reason === 'timeout'
        ? { kind: 'timeout', message: message ?? 'The simulation took too long and was stopped.' }
        : reason === 'superseded'
          ? { kind: 'timeout', message: 'Cancelled: a newer run replaced this one.' }
          : {
              kind: 'worker-crashed',
              message: message ?? 'The simulation worker stopped and was restarted.',
            };
    const pending = [...this.#inFlight];
    this.#inFlight.clear();
    for (const f of pending) f.settle({ ok: false, error });
  }
}

/** The engine the app uses: a worker where the browser has them, otherwise in-process (loaded
 * on demand, so the model and its parser are not in the page's first bundle). */
export function createDefaultEngine(): SimulationEngine {
  if (typeof Worker === 'function') return new WorkerEngine();
  return new InProcessEngine(
    import('../worker/simulationApi.ts').then((m) => m.createSimulationApi()),
  );
}

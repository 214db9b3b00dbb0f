// The worker entry: exposes the simulation API with Comlink and nothing else. Run results hand their
// trace buffers over (transfer) instead of copying them.

import * as Comlink from 'comlink';
import type { EngineResult, AppRun, SimulationApi } from './protocol.ts';
import { createSimulationApi, traceBuffers } from './simulationApi.ts';

const api = createSimulationApi();

const exposed: SimulationApi = {
  hello: () => api.hello(),
  parseScenarioText: (text) => api.parseScenarioText(text),
  packScenario: (request) => api.packScenario(request),
  parsePackedScenario: (packed) => api.parsePackedScenario(packed),
  fileText: (request) => api.fileText(request),
  importDebugfs: (request) => api.importDebugfs(request),
  importQemuTrace: (request) => api.importQemuTrace(request),
  compareVariants: (request) => api.compareVariants(request),
  debugfsDump: (request) => api.debugfsDump(request),
  run(request): EngineResult<AppRun> {
    const out = api.run(request);
    return out.ok ? Comlink.transfer(out, traceBuffers(out.value)) : out;
  },
};

Comlink.expose(exposed);

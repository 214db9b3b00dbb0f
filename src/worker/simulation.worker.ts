// The worker entry: exposes the simulation API with Comlink and nothing else. Run results hand their
// trace and cache buffers over (transfer) instead of copying them.

import * as Comlink from 'comlink';
import type { EngineResult, ParsedScenario, SimulationApi, WireRun } from './protocol.ts';
import { createSimulationApi, runBuffers } from './simulationApi.ts';

const api = createSimulationApi();

/** A parsed scenario hands its built memory's buffer over too. */
function withPages(out: EngineResult<ParsedScenario>): EngineResult<ParsedScenario> {
  const pages = out.ok ? out.value.initialMemory : undefined;
  return pages ? Comlink.transfer(out, [pages.numbers.buffer, pages.words.buffer]) : out;
}

const exposed: SimulationApi = {
  hello: () => api.hello(),
  parseScenarioText: (text) => withPages(api.parseScenarioText(text)),
  packScenario: (request) => api.packScenario(request),
  parsePackedScenario: async (packed) => withPages(await api.parsePackedScenario(packed)),
  fileText: (request) => api.fileText(request),
  shareFragment: (request) => api.shareFragment(request),
  importDebugfs: (request) => api.importDebugfs(request),
  importQemuTrace: (request) => api.importQemuTrace(request),
  compareVariants: (request) => api.compareVariants(request),
  debugfsDump: (request) => api.debugfsDump(request),
  run(request): EngineResult<WireRun> {
    const out = api.run(request);
    return out.ok ? Comlink.transfer(out, runBuffers(out.value)) : out;
  },
};

Comlink.expose(exposed);

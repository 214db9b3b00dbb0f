// The in-process engine with the real API: what tests (and the CLI-like tools) use.

import { createSimulationApi } from '../../worker/simulationApi.ts';
import { createEngine, inProcessTransport, type SimulationEngine } from '../engine.ts';

export function createInProcessEngine(): SimulationEngine {
  return createEngine(inProcessTransport(createSimulationApi()));
}

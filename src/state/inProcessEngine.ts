// The in-process engine with the real API: what tests (and the CLI-like tools) use.

import { createSimulationApi } from '../worker/simulationApi.ts';
import { InProcessEngine } from './engine.ts';

export function createInProcessEngine(): InProcessEngine {
  return new InProcessEngine(createSimulationApi());
}

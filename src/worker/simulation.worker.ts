// The worker entry: exposes the simulation API with Comlink and nothing else. Answers that mark
// buffers for transfer (runs, parsed scenarios' memory pages) hand them over instead of copying.

import * as Comlink from 'comlink';
import { createSimulationApi } from './simulationApi.ts';

Comlink.expose(createSimulationApi());

// The worker entry: exposes the simulation API with Comlink and nothing else. Answers that mark
// buffers for transfer (runs, parsed scenarios' memory pages) hand them over instead of copying;
// scenarios cross in their wire form (wireApi.ts).

import * as Comlink from 'comlink';
import { createSimulationApi } from './simulationApi.ts';
import { apiOnTheWire } from '../shared/wireApi.ts';

Comlink.expose(apiOnTheWire(createSimulationApi()));

// A store with the test fixture loaded and run, on the in-process engine (state and UI tests).

import { createAppStore, type AppStore } from '../store.ts';
import { fixtureText } from './fixtures.ts';
import { createInProcessEngine } from './inProcessEngine.ts';

export async function fixtureStore(): Promise<AppStore> {
  const store = createAppStore({ engine: createInProcessEngine() });
  await store.getState().importScenarioText(fixtureText, 'fixture.json');
  await store.idle();
  return store;
}

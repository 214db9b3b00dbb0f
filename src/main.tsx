// Composition root: build the engine and the store, start up (link / preset / autosave), mount the
// app, and expose the test hook `window.pasidscope.idle()`.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import {
  type AppStore,
  bootstrap,
  createAppStore,
  createDefaultEngine,
  fetchRelative,
  hashWithoutScenario,
  scenarioFileText,
  StoreProvider,
} from './state/index.ts';
import { App } from './ui/App.tsx';
import './ui/styles/app.css';

declare global {
  interface Window {
    pasidscope?: {
      /** Resolves when no engine request, load or animation is pending. */
      idle(): Promise<void>;
      /** The current scenario as file text (for tests comparing scenarios). */
      scenarioText(): string;
      readonly store: AppStore;
    };
  }
}

function localStorageOrUndefined(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

const store = createAppStore({
  engine: createDefaultEngine(),
  storage: localStorageOrUndefined(),
  fetchText: fetchRelative,
});

window.pasidscope = {
  store,
  scenarioText: () => scenarioFileText(store.getState().scenario),
  idle: async () => {
    await store.idle();
    // Let React commit what the last state change rendered.
    await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    await store.idle();
  },
};

window.addEventListener('pagehide', () => store.flushAutosave());
window.addEventListener('hashchange', () => {
  if (window.location.hash.includes('scenario=')) {
    void store
      .getState()
      .openShareFragment(window.location.hash)
      .then(() => {
        const { pathname, search, hash } = window.location;
        history.replaceState(null, '', pathname + search + hashWithoutScenario(hash));
      });
  }
});

void bootstrap(store, {
  location: window.location,
  replaceUrl: (url) => history.replaceState(null, '', url),
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
}

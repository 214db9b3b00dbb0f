// Start-up: which scenario the app opens with. In order: a share link in the URL fragment, a
// `?preset=NAME` parameter, the autosaved scenario, the first bundled preset. A link or preset that
// fails leaves the next candidate in place and says why, in a notice that stays until the user
// dismisses it or loads another scenario.
// The URL is then cleaned (the scenario now lives in the store and autosave), so a reload restores
// the user's latest edits, not the old link. Loading at start-up is not an undoable edit: the
// history starts empty.

import { hashWithoutScenario } from './persistence.ts';
import { adoptInitialMemory } from './memoryImage.ts';
import type { PresetInfo } from './presets.ts';
import { PRESET_INDEX_PATH, isPresetName, parsePresetIndex } from './presets.ts';
import type { Notice } from './slices/viewSlice.ts';
import type { AppStore } from './store.ts';

export interface BootLocation {
  readonly hash: string;
  readonly search: string;
  readonly pathname: string;
}

export interface BootEnv {
  readonly location: BootLocation;
  /** Replaces the address bar's URL without navigating. */
  readonly replaceUrl?: (url: string) => void;
}

/** The name of the preset opened when there is nothing else. */
export const DEFAULT_PRESET = 'linux-boot';

/** The load notices on screen, to be shown again after the fallback's load has cleared them. */
function loadNotices(notices: readonly Notice[]): Omit<Notice, 'id'>[] {
  return notices.filter((n) => n.topic === 'load').map(({ id: _id, ...rest }) => rest);
}

function unknownPresetNotice(name: string, known: readonly PresetInfo[]): Omit<Notice, 'id'> {
  const names = known.map((p) => p.name).join(', ');
  return {
    tone: 'error',
    title: `There is no preset called "${name}".`,
    detail: `Choose one from the Preset menu at the top${names ? `; a link can name any of: ${names}` : ''}.`,
  };
}

export async function bootstrap(store: AppStore, env: BootEnv): Promise<void> {
  const s = () => store.getState();
  await s().trackLoad(
    (async () => {
      try {
        s().setPresets(parsePresetIndex(await store.fetchText(PRESET_INDEX_PATH)));
      } catch {
        s().pushNotice({
          tone: 'warning',
          topic: 'presets',
          title: 'The preset list could not be loaded; import a scenario file instead.',
        });
      }

      const { hash, search, pathname } = env.location;
      const params = new URLSearchParams(search);
      const preset = params.get('preset');
      let loaded = false;

      // Candidate 3 first, silently: it is what a failed link or preset must leave in place.
      const saved = store.autosave.load();
      if (saved) {
        const parsed = await store.engine.parsePackedScenario(saved.packed);
        if (parsed.ok) {
          adoptInitialMemory(parsed.value.scenario, parsed.value.initialMemory);
          s().replaceScenario(parsed.value.scenario, saved.source);
          loaded = true;
        }
      }

      // Why the link's scenario is not shown: it must outlive the fallback's load (a load clears
      // the notices of earlier loads).
      let failed: Omit<Notice, 'id'>[] = [];
      if (hash.includes('scenario=')) {
        if (await s().openShareFragment(hash)) loaded = true;
        else failed = loadNotices(s().notices);
      } else if (preset !== null) {
        const known = s().presets;
        if (!isPresetName(preset) || (known.length > 0 && !known.some((p) => p.name === preset))) {
          failed = [unknownPresetNotice(preset, known)];
        } else if (await s().loadPreset(preset)) {
          loaded = true;
        } else {
          failed = loadNotices(s().notices);
        }
      }

      let fallback = saved ? 'Your last scenario is shown instead.' : undefined;
      if (!loaded) {
        const presets = s().presets;
        const first = presets.find((p) => p.name === DEFAULT_PRESET) ?? presets[0];
        if (first && (await s().loadPreset(first.name))) {
          fallback = `The preset "${first.name}" is shown instead.`;
        }
      }
      // Pushed again after the fallback: the next load the user makes clears it, as any load does.
      for (const notice of failed) {
        s().pushNotice({
          ...notice,
          topic: 'load',
          ...(fallback ? { detail: [fallback, notice.detail].filter(Boolean).join(' ') } : {}),
        });
      }

      if (env.replaceUrl && (hash.includes('scenario=') || preset !== null)) {
        // Keep whatever else the URL carries (e.g. a step for the walk view); drop the scenario.
        params.delete('preset');
        const rest = params.toString();
        env.replaceUrl(`${pathname}${rest ? `?${rest}` : ''}${hashWithoutScenario(hash)}`);
      }
      // ?tour=NAME&at=K (K from 1): the tour loads its own preset and moves the playhead.
      const tour = params.get('tour');
      if (tour !== null) {
        const at = Number(params.get('at'));
        await s().startTour(tour, Number.isInteger(at) && at >= 1 ? at - 1 : undefined);
      }
      store.temporal.getState().clear();
      // The scenario may be the initial one (nothing loaded): make sure it has been run.
      if (s().runGeneration === 0) void s().requestRun();
    })(),
  );
}

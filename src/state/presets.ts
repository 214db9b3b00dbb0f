// The bundled presets: public/scenarios/index.json lists them, each is public/scenarios/NAME.json.

export interface PresetInfo {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly tags: readonly string[];
}

export type FetchText = (path: string) => Promise<string>;

/** Fetches a file relative to the page (the app is served from any base path). */
export const fetchRelative: FetchText = async (path) => {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.text();
};

export const PRESET_INDEX_PATH = 'scenarios/index.json';
export const presetPath = (name: string): string => `scenarios/${encodeURIComponent(name)}.json`;

const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/i;

export function isPresetName(name: string): boolean {
  return NAME_RE.test(name);
}

/** Reads the index defensively: a broken entry is dropped, not fatal. */
export function parsePresetIndex(text: string): PresetInfo[] {
  const raw: unknown = JSON.parse(text);
  if (!Array.isArray(raw)) return [];
  const out: PresetInfo[] = [];
  for (const item of raw as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    if (typeof r.name !== 'string' || !isPresetName(r.name)) continue;
    out.push({
      name: r.name,
      title: typeof r.title === 'string' ? r.title : r.name,
      summary: typeof r.summary === 'string' ? r.summary : '',
      tags: Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === 'string') : [],
    });
  }
  return out;
}

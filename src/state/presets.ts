// The bundled presets: public/scenarios/index.json lists them, each is public/scenarios/NAME.json.

export interface PresetInfo {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly tags: readonly string[];
}

export type FetchText = (path: string) => Promise<string>;

/**
 * Fetches a file relative to the page (the app is served from any base path). A `.json` path must
 * answer JSON: a single-page-app server (`vite preview` among them) answers a missing file with
 * the page itself and status 200, which would otherwise surface as a baffling "not JSON" error.
 */
export const fetchRelative: FetchText = async (path) => {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: not found (HTTP ${res.status})`);
  const text = await res.text();
  if (path.endsWith('.json') && isWebPage(res.headers.get('content-type'), text)) {
    throw new Error(`${path}: not found (the server answered with a web page, not JSON)`);
  }
  return text;
};

/** An HTML answer where JSON was asked for. */
function isWebPage(contentType: string | null, text: string): boolean {
  return /html/i.test(contentType ?? '') || text.trimStart().startsWith('<');
}

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

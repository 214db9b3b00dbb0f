// The bundled presets: public/scenarios/NAME.json, listed in order by public/scenarios/index.json
// (the same files the app serves).

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const PRESETS_DIR = fileURLToPath(new URL('../../public/scenarios/', import.meta.url));

export interface PresetInfo {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly tags: readonly string[];
}

/** Preset names are file names: lower-case words joined by dashes (nothing that leaves the folder). */
export const PRESET_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function isPresetInfo(v: unknown): v is PresetInfo {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.name === 'string' &&
    PRESET_NAME.test(o.name) &&
    typeof o.title === 'string' &&
    typeof o.summary === 'string' &&
    Array.isArray(o.tags) &&
    o.tags.every((t) => typeof t === 'string')
  );
}

/** The ordered preset list. Throws when index.json is missing or malformed (a packaging bug). */
export async function loadPresetIndex(dir = PRESETS_DIR): Promise<PresetInfo[]> {
  const raw: unknown = JSON.parse(await readFile(`${dir}index.json`, 'utf8'));
  if (!Array.isArray(raw) || !raw.every(isPresetInfo)) {
    throw new Error(`${dir}index.json is not a list of {name, title, summary, tags}`);
  }
  return raw;
}

export function presetPath(name: string, dir = PRESETS_DIR): string {
  return `${dir}${name}.json`;
}

/** Edit distance (insertions, deletions, substitutions) between two short names. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(
        Math.min(
          (prev[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + 1,
          (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        ),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * Names close to a mistyped one, for "did you mean": a near-miss spelling (a few edits) wins over
 * a shared prefix or substring, which many presets share ("linux-...").
 */
export function similarPresets(name: string, presets: readonly PresetInfo[]): string[] {
  const n = name.toLowerCase();
  const names = presets.map((p) => p.name);
  const near = names
    .map((p) => ({ p, d: editDistance(n, p) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(n.length / 4)))
    .sort((x, y) => x.d - y.d)
    .map((x) => x.p);
  if (near.length) return near.slice(0, 3);
  return names
    .filter((p) => p.includes(n) || n.includes(p) || p.slice(0, 4) === n.slice(0, 4))
    .slice(0, 3);
}

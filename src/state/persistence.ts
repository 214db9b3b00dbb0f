// Scenario text in and out of the app: share links (URL fragment), autosave (browser storage) and
// exported files all carry the contract's file format, so one parser (the model's, in the engine)
// checks every one of them on the way back in.

import LZString from 'lz-string';
import { scenarioToFile, type Scenario } from '../model/core.ts';
import { SHARE_KEY, SHARE_LINK_VERSION, shareFragmentOf } from '../shared/packing.ts';
import { scenarioWords } from './scenarioEdits.ts';
import type { SimulationEngine } from './engine.ts';

export { SHARE_LINK_VERSION };

export function scenarioFileText(scenario: Scenario, indent?: number): string {
  return JSON.stringify(scenarioToFile(scenario), null, indent);
}

/** The fragment (without '#') that carries a whole scenario: `scenario=1.<lz-string payload>`. */
export function encodeShareFragment(scenario: Scenario): string {
  return shareFragmentOf(scenario);
}

export function shareUrl(
  scenario: Scenario,
  location: { origin: string; pathname: string },
): string {
  return `${location.origin}${location.pathname}#${encodeShareFragment(scenario)}`;
}

/** Scenarios with more guest-memory words than this are compressed for a link by the engine. */
export const SHARE_ENCODE_ON_PAGE_MAX_WORDS = 2_000;

/**
 * The share link of a scenario, without blocking the page: a small scenario is compressed here
 * at once, a large one by the engine off the page's thread (a 10^5-entry scenario takes a second).
 */
export async function shareUrlFor(
  engine: Pick<SimulationEngine, 'shareFragment'>,
  scenario: Scenario,
  location: { origin: string; pathname: string },
): Promise<string> {
  if (scenarioWords(scenario) <= SHARE_ENCODE_ON_PAGE_MAX_WORDS)
    return shareUrl(scenario, location);
  const fragment = await engine.shareFragment({ scenario });
  if (!fragment.ok) throw new Error(fragment.error.message);
  return `${location.origin}${location.pathname}#${fragment.value}`;
}

/** Splits a fragment into key/value pairs. Not URLSearchParams: it would turn lz-string's '+' into ' '. */
export function fragmentParams(hash: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) out.set(part, '');
    else out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** The fragment without its scenario (other parts, such as a step, kept in order), '#' included. */
export function hashWithoutScenario(hash: string): string {
  const keep = [...fragmentParams(hash)]
    .filter(([k]) => k !== SHARE_KEY)
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .join('&');
  return keep ? `#${keep}` : '';
}

export type ShareDecode =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string };

export type SharePayload =
  | { readonly kind: 'none' }
  | { readonly kind: 'payload'; readonly payload: string }
  | { readonly kind: 'error'; readonly message: string };

/** Share payloads longer than this are decompressed off the page's thread (by the engine). */
export const SHARE_DECODE_ON_PAGE_MAX = 64_000;

/** The compressed scenario of a share link, its envelope checked, not yet decompressed. */
export function sharePayload(hash: string): SharePayload {
  const value = fragmentParams(hash).get(SHARE_KEY);
  if (value === undefined) return { kind: 'none' };
  const dot = value.indexOf('.');
  const version = dot < 0 ? NaN : Number(value.slice(0, dot));
  if (!Number.isInteger(version)) {
    return {
      kind: 'error',
      message: 'The share link has no version: it is not a PASIDscope link.',
    };
  }
  if (version !== SHARE_LINK_VERSION) {
    return {
      kind: 'error',
      message: `The share link uses format ${version}; this PASIDscope reads format ${SHARE_LINK_VERSION}.`,
    };
  }
  return { kind: 'payload', payload: value.slice(dot + 1) };
}

/** Reads the scenario out of a location fragment, or says precisely why it cannot. */
export function decodeShareFragment(hash: string): ShareDecode {
  const envelope = sharePayload(hash);
  if (envelope.kind !== 'payload') return envelope;
  const payload = envelope.payload;
  let text: string | null;
  try {
    text = LZString.decompressFromEncodedURIComponent(payload);
  } catch {
    text = null;
  }
  if (!text) {
    return {
      kind: 'error',
      message: 'The share link is damaged or cut short: its scenario could not be decompressed.',
    };
  }
  try {
    JSON.parse(text);
  } catch {
    return {
      kind: 'error',
      message: 'The share link is damaged or cut short: its scenario is not complete JSON.',
    };
  }
  return { kind: 'ok', text };
}

// ---- autosave ----

export const AUTOSAVE_KEY = 'pasidscope:autosave';
const AUTOSAVE_VERSION = 2;

/** What autosave keeps: the scenario packed by the engine (compressed file text) and its source. */
export interface AutosaveRecord {
  readonly packed: string;
  readonly source: ScenarioSource;
}

/** Where the current scenario came from (shown in the header; decides the Preset select's value). */
export type ScenarioSource =
  | { readonly kind: 'preset'; readonly name: string; readonly edited: boolean }
  | { readonly kind: 'file'; readonly name: string; readonly edited: boolean }
  | { readonly kind: 'link'; readonly edited: boolean }
  | { readonly kind: 'new'; readonly edited: boolean };

export function markEdited(source: ScenarioSource): ScenarioSource {
  return source.edited ? source : { ...source, edited: true };
}

export type SaveOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

export function saveAutosave(
  storage: Pick<Storage, 'setItem'>,
  record: AutosaveRecord,
): SaveOutcome {
  try {
    storage.setItem(
      AUTOSAVE_KEY,
      JSON.stringify({ v: AUTOSAVE_VERSION, source: record.source, file: record.packed }),
    );
    return { ok: true };
  } catch (e) {
    return {
      ok: false,
      message: `Autosave failed (${e instanceof Error ? e.name : 'storage error'}): this scenario is too large for browser storage. Export it to keep it.`,
    };
  }
}

function isSource(x: unknown): x is ScenarioSource {
  if (typeof x !== 'object' || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  return k === 'preset' || k === 'file' || k === 'link' || k === 'new';
}

export function loadAutosave(storage: Pick<Storage, 'getItem'>): AutosaveRecord | undefined {
  let raw: string | null;
  try {
    raw = storage.getItem(AUTOSAVE_KEY);
  } catch {
    return undefined;
  }
  if (!raw) return undefined;
  try {
    const rec = JSON.parse(raw) as { v?: unknown; source?: unknown; file?: unknown };
    if (rec.v !== AUTOSAVE_VERSION || typeof rec.file !== 'string') return undefined;
    return {
      packed: rec.file,
      source: isSource(rec.source) ? rec.source : { kind: 'new', edited: true },
    };
  } catch {
    return undefined;
  }
}

/** A file name for an export: the title in lower-case words. */
export function exportFileName(scenario: Scenario): string {
  const base = (scenario.title ?? 'scenario')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || 'scenario'}.pasidscope.json`;
}

// The step in the URL: `#…&step=N` (beside a share link's scenario) or `?step=N`, so that a link
// opens the walk view at that exact event. Parsing and building are pure; the panel does the I/O.

import { fragmentParams } from '../../state/index.ts';

/** The step a URL asks for, or undefined. The fragment wins over the query. */
export function stepFromUrl(search: string, hash: string): number | undefined {
  const raw = fragmentParams(hash).get('step') ?? new URLSearchParams(search).get('step');
  if (raw === undefined || raw === null || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The fragment with `step=N` set (or removed when step is undefined), other parts kept in order. */
export function withStepInHash(hash: string, step: number | undefined): string {
  const parts = [...fragmentParams(hash)].filter(([k]) => k !== 'step');
  if (step !== undefined) parts.push(['step', String(step)]);
  const body = parts.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
  return body ? `#${body}` : '';
}

/** The query without its `step` parameter (the fragment carries it from now on). */
export function withoutStepInSearch(search: string): string {
  const params = new URLSearchParams(search);
  params.delete('step');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

/** A share link that opens at `step`: the app's share URL with `&step=N` in its fragment. */
export function shareUrlAtStep(shareUrl: string, step: number): string {
  const hashAt = shareUrl.indexOf('#');
  const base = hashAt < 0 ? shareUrl : shareUrl.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : shareUrl.slice(hashAt);
  return `${base}${withStepInHash(hash, step)}`;
}

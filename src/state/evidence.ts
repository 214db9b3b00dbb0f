// Evidence the page sends out: the mail report ("Copy as text", the same text as `pasidscope
// report`), the Perfetto trace, and the address a scenario is shared under. Links never point at
// the machine the app happens to run on: a public PASIDscope address is a build-time setting
// (VITE_PASIDSCOPE_PUBLIC_URL); without one, the scenario travels inline, as a block that
// Import > Paste reads back.

import {
  formatMailReport,
  toPerfettoTrace,
  type RunResult,
  type Scenario,
  type ScenarioAttachment,
} from '../model/core.ts';
import { shareFragmentOf } from '../shared/packing.ts';
import type { ScenarioSource } from './persistence.ts';

/** The public address set at build time, with a trailing slash; undefined when none is set. */
export function publicAppUrl(
  configured: string | undefined = import.meta.env.VITE_PASIDSCOPE_PUBLIC_URL as string | undefined,
): string | undefined {
  const url = configured?.trim();
  if (!url || !/^https?:\/\//.test(url)) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

/** How a report or a review comment carries the scenario: a public link, else inline. */
export function scenarioAttachment(
  scenario: Scenario,
  publicUrl: string | undefined = publicAppUrl(),
): ScenarioAttachment {
  const fragment = shareFragmentOf(scenario);
  return publicUrl
    ? { kind: 'link', url: `${publicUrl}#${fragment}` }
    : { kind: 'inline', fragment };
}

/** "preset linux-boot" (as `pasidscope report --preset` says it), a file name, or nothing. */
export function sourceLabel(source: ScenarioSource): string | undefined {
  const edited = source.edited ? ', edited' : '';
  if (source.kind === 'preset') return `preset ${source.name}${edited}`;
  if (source.kind === 'file') return `${source.name}${edited}`;
  return undefined;
}

export function reportText(
  scenario: Scenario,
  result: RunResult,
  source: ScenarioSource,
  publicUrl: string | undefined = publicAppUrl(),
): string {
  const label = sourceLabel(source);
  return formatMailReport(scenario, result, {
    ...(label !== undefined ? { source: label } : {}),
    attachment: scenarioAttachment(scenario, publicUrl),
  });
}

export function perfettoTraceText(scenario: Scenario, result: RunResult): string {
  return `${JSON.stringify(toPerfettoTrace(scenario, result))}\n`;
}

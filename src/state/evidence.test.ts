import { describe, expect, it } from 'vitest';
import { parseScenarioText, runScenario } from '../model/index.ts';
import linuxBootJson from '../../public/scenarios/linux-boot.json?raw';
// The CLI's golden output of `pasidscope report --preset linux-boot`: the page must print the same.
// eslint-disable-next-line import-x/no-restricted-paths -- a golden text file, not code
import linuxBootReport from '../cli/__golden__/report/linux-boot.txt?raw';
import tornDownJson from '../../public/scenarios/torn-down-entry.json?raw';
import { publicAppUrl, reportText, scenarioAttachment } from './evidence.ts';
import { detectImportKind } from './importKind.ts';

const TEXTS: Readonly<Record<string, string>> = {
  'linux-boot': linuxBootJson,
  'torn-down-entry': tornDownJson,
};

function preset(name: string) {
  const r = parseScenarioText(TEXTS[name] ?? '');
  if (!r.ok) throw new Error(name);
  return r.scenario;
}

describe("the app's Copy as text", () => {
  it('gives the same text as pasidscope report (its golden file)', () => {
    const scenario = preset('linux-boot');
    const source = { kind: 'preset', name: 'linux-boot', edited: false } as const;
    const text = reportText(scenario, runScenario(scenario), source, undefined);
    expect(text).toBe(linuxBootReport);
    expect(detectImportKind(text)).toBe('scenario');
  });

  it('links to the public address when the build has one, never to this machine', () => {
    const scenario = preset('torn-down-entry');
    const a = scenarioAttachment(scenario, publicAppUrl('https://example.org/pasidscope'));
    expect(a).toMatchObject({ kind: 'link' });
    if (a.kind === 'link')
      expect(a.url).toMatch(/^https:\/\/example\.org\/pasidscope\/#scenario=1\./);
    expect(publicAppUrl('')).toBeUndefined();
    expect(publicAppUrl('javascript:alert(1)')).toBeUndefined();
    expect(scenarioAttachment(scenario, undefined).kind).toBe('inline');
  });

  it('a kernel trace is told from a QEMU log', () => {
    expect(detectImportKind('qi_submit: pc_inv dmar0: 0x17 0x0 0x0 0x0\n')).toBe('kernel-trace');
    expect(
      detectImportKind('1@1.0:vtd_inv_desc invalidate desc type wait high 0x0 low 0x25\n'),
    ).toBe('qemu-trace');
  });
});

// Every tour stop resolves to an event of its preset's real run, in order, and the tours read as the
// issue asks: two or three sentences a stop, a question at the end.

import { describe, expect, it } from 'vitest';
import didMismatch from '../../../public/scenarios/did-mismatch.json';
import linuxAttachTeardown from '../../../public/scenarios/linux-attach-teardown.json';
import pasid0TwoCaches from '../../../public/scenarios/pasid0-two-caches.json';
import pdtsClamp from '../../../public/scenarios/pdts-clamp.json';
import quadraticCost from '../../../public/scenarios/quadratic-cost.json';
import seriesFallthrough from '../../../public/scenarios/series-fallthrough.json';
import tornDownEntry from '../../../public/scenarios/torn-down-entry.json';
import { runScenario } from '../run/runScenario.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import { TOURS } from './tours.ts';

const PRESETS: Readonly<Record<string, unknown>> = {
  'did-mismatch': didMismatch,
  'linux-attach-teardown': linuxAttachTeardown,
  'pasid0-two-caches': pasid0TwoCaches,
  'pdts-clamp': pdtsClamp,
  'quadratic-cost': quadraticCost,
  'series-fallthrough': seriesFallthrough,
  'torn-down-entry': tornDownEntry,
};

describe('tours', () => {
  it('has at least seven tours with distinct names', () => {
    expect(TOURS.length).toBeGreaterThanOrEqual(7);
    expect(new Set(TOURS.map((t) => t.name)).size).toBe(TOURS.length);
  });

  it.each(TOURS.map((t) => [t.name, t] as const))('%s: every stop finds its event', (_, tour) => {
    const parsed = parseScenario(PRESETS[tour.preset]);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const run = runScenario(parsed.scenario);
    const found = tour.stops.map((s) => s.find({ scenario: parsed.scenario, run }));
    for (const [i, at] of found.entries()) {
      expect(at, `stop ${i} (${tour.stops[i]?.title})`).toBeDefined();
      expect(at!).toBeLessThan(run.trace.length);
    }
    // Stops move forward through the run.
    expect([...found].sort((a, b) => a! - b!)).toEqual(found);
    tour.stops.forEach((s, i) => {
      const sentences = s.text.split(/(?<=[.:!?])\s+(?=[A-Z])/).length;
      expect(sentences, `stop ${i} sentences`).toBeGreaterThanOrEqual(2);
      expect(sentences, `stop ${i} sentences`).toBeLessThanOrEqual(3);
      expect(s.question !== undefined).toBe(i === tour.stops.length - 1);
    });
  });
});

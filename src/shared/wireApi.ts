// The API as the worker exposes it: scenarios in their wire form (shared/memoryWire.ts) are
// unpacked before a call and packed in its answer. The worker entry and the tests' channel worker
// both expose this, so the page's worker transport always meets the same seam.

import * as Comlink from 'comlink';
import { mapScenarioField, scenarioFromWire, scenarioToWire } from './memoryWire.ts';

/** A parsed scenario's answer, packed: its memory pages are still handed over, not copied. */
function answerToWire(answer: unknown): unknown {
  const wire = mapScenarioField(answer, scenarioToWire);
  if (wire === answer) return answer; // unchanged: keeps its own transfer mark
  const pages = (
    wire as { value?: { initialMemory?: { numbers: Float64Array; words: Uint32Array } } }
  ).value?.initialMemory;
  return pages ? Comlink.transfer(wire, [pages.numbers.buffer, pages.words.buffer]) : wire;
}

/** The API object with every method speaking the wire form. */
export function apiOnTheWire<T extends object>(api: T): T {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const member: unknown = Reflect.get(target, prop, receiver);
      if (typeof member !== 'function') return member;
      return async (...args: unknown[]) =>
        answerToWire(
          await (member as (...a: unknown[]) => unknown).apply(
            target,
            args.map((a) => mapScenarioField(a, scenarioFromWire)),
          ),
        );
    },
  });
}

import type { Scenario, Variant } from '../scenario/scenarioTypes.ts';
import type { RunResult } from './runTypes.ts';

/** Runs every step of a scenario through the model. Placeholder until the model lands. */
export function runScenario(
  _scenario: Scenario,
  _options?: { readonly variant?: Variant },
): RunResult {
  throw new Error('runScenario: not implemented yet');
}

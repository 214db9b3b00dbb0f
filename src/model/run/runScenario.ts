import type { Scenario, Variant } from '../scenario/scenarioTypes.ts';
import { PasidScopeMachine } from './pasidScopeMachine.ts';
import type { RunResult } from './runTypes.ts';

export interface RunOptions {
  /** Overrides the scenario's variant. */
  readonly variant?: Variant;
  /** See MachineOptions.maxChangesPerStep (default: every change, as the contract needs). */
  readonly maxChangesPerStep?: number;
}

/** Runs every step of a scenario through the model. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const machine = new PasidScopeMachine(scenario, options);
  const steps = machine.runAll();
  return { variant: machine.variant, steps, final: machine.caches(), trace: machine.trace() };
}

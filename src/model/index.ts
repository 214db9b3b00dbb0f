// The model's public surface. Nothing outside src/model imports a deeper path.
export * from './scenario/scenarioTypes.ts';
export * from './run/runTypes.ts';
export * from './trace/traceFormat.ts';
export { runScenario } from './run/runScenario.ts';
export * from './bits/bitFields.ts';
export * from './bits/structures.ts';

#!/usr/bin/env node
// `npx pasidscope ...` inside the checkout: let Node load the TypeScript sources through tsx, then
// hand over to the CLI (src/cli/main.ts).
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('../src/cli/main.ts');
await runFromProcess();

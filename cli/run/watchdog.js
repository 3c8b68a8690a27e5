#!/usr/bin/env node
// Entry point of the run watchdog (cli/run/watchdog-main.ts), started by `wirespeed run`: TypeScript
// through tsx, as cli/wirespeed.js does.
import { register } from 'tsx/esm/api';

register();
await import('./watchdog-main.ts');

#!/usr/bin/env node
// Entry point of the `wirespeed` command: TypeScript sources run through tsx, so there is no build step
// and no stale output to trip over.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');

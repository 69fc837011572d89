#!/usr/bin/env node
// Entry point of `npx lab`: runs the TypeScript sources directly through tsx, so no build step is needed after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');

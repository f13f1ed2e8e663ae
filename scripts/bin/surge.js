#!/usr/bin/env node
// Entry point for the `surge` bin: TypeScript sources run through tsx's loader,
// so there is no separate build step between a checkout and a rehearsal.
import { register } from 'tsx/esm/api';

register();
await import('../surge.ts');

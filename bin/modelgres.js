#!/usr/bin/env node
// Builds dist/ from the TypeScript sources (about a second; only changed files are written), then
// runs the compiled CLI, without a TypeScript loader in the process.
await import('../scripts/build.mjs');
await import('../dist/cli.js');

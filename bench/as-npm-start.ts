// Benches start the proxy as `npm start` runs it: the compiled dist/ (built here, once, when this
// module loads) with the environment package.json's start script sets.
await import('../scripts/build.mjs');

/** The start script's MALLOC_ARENA_MAX=2 (unless already set): glibc's arenas per thread otherwise hold 20-40 MB more at peak. */
export const npmStartEnv: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '2', ...process.env };

/**
 * The code a worker thread runs (with `eval: true`) to load one of our modules, named by its
 * TypeScript URL (`new URL('./x-thread.ts', import.meta.url)`).
 *
 * Run as compiled JavaScript (dist/, as `npm start` runs it), the thread imports the `.js` file
 * built beside that URL. Run from the TypeScript sources (tests, benches, `npm run modelgres`), it
 * loads them through tsx: its ESM loader ('esm'), or its require ('require'), which transpiles on
 * the thread itself rather than starting a loader hooks thread (about 15 MB a thread, kept idle),
 * but cannot load a module with top-level await.
 */
const compiled = import.meta.url.endsWith('.js');

export function threadCode(entry: URL, typescriptLoader: 'esm' | 'require' = 'esm'): string {
  if (compiled) return `import(${JSON.stringify(entry.href.replace(/\.ts$/, '.js'))});`;
  if (typescriptLoader === 'require') {
    const file = decodeURIComponent(entry.pathname);
    return `require('tsx/cjs/api').require(${JSON.stringify(file)}, __filename);`;
  }
  return `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
}

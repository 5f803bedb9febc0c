import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The folder of an installed npm package (its "exports" hide package.json and dist/ from resolve). */
function packageDir(name: string): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  while (!dir.endsWith(path.join('node_modules', name))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of the npm package ${name}`);
    dir = parent;
  }
  return dir;
}

export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * The scripts the model page loads, from the npm packages themselves (no CDN): d3 and Observable
 * Plot's UMD builds, and the page's own drawing code. Read once.
 */
export function loadStaticFiles(): Map<string, StaticFile> {
  const js = 'text/javascript; charset=utf-8';
  return new Map([
    ['/static/d3.js', { body: readFileSync(path.join(packageDir('d3'), 'dist/d3.min.js')), type: js }],
    ['/static/plot.js', { body: readFileSync(path.join(packageDir('@observablehq/plot'), 'dist/plot.umd.min.js')), type: js }],
    ['/static/dashboard.js', { body: readFileSync(path.join(import.meta.dirname, 'static/dashboard.js')), type: js }],
  ]);
}

// Compiles src/ to dist/ as plain JavaScript, one file for each source file, so that `npm start`
// runs without a TypeScript loader in the process (tsx holds about 40 MB on each thread).
// esbuild rather than tsc: the whole tree takes about a second, so every start can build
// (typechecking stays with `npm run typecheck`). Each file is its own entry with every import left
// external; relative imports of `.ts` files are renamed to the `.js` files written beside them.
// Only files whose content changed are written, each by a rename, so a process started from
// dist/ while another build runs never reads half a file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');
const out = path.join(root, 'dist');

const sources = readdirSync(src, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
const entryPoints = sources
  .filter((e) => e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
  .map((e) => path.join(e.parentPath, e.name));

const keepImportsOutside = {
  name: 'keep-imports-outside',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const relative = args.path.startsWith('.');
      return { path: relative ? args.path.replace(/\.ts$/, '.js') : args.path, external: true };
    });
  },
};

const { outputFiles } = await build({
  entryPoints,
  outdir: out,
  outbase: src,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  write: false,
  plugins: [keepImportsOutside],
});
// The dashboard's own script is served as it is.
const copied = sources
  .filter((e) => e.name.endsWith('.js'))
  .map((e) => ({ path: path.join(out, path.relative(src, path.join(e.parentPath, e.name))), contents: readFileSync(path.join(e.parentPath, e.name)) }));

const written = new Set();
for (const file of [...outputFiles, ...copied]) {
  written.add(file.path);
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  mkdirSync(path.dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
// Files of sources since deleted.
if (existsSync(out)) {
  for (const e of readdirSync(out, { recursive: true, withFileTypes: true })) {
    const file = path.join(e.parentPath, e.name);
    if (e.isFile() && !written.has(file) && !e.name.endsWith('.tmp')) rmSync(file);
  }
}

// `npm run check:deps`: dependency-cruiser's rules (.dependency-cruiser.cjs) over src/, then the
// cycles among src/'s top-level folders, each edge named by an import that makes it.
//
// dependency-cruiser's own folder rule sees a folder's subfolders as folders of their own, so it
// misses a cycle that enters a folder through a subfolder (a/x.ts imports b/sub/y.ts while b/z.ts
// imports a/); this check counts every file under a top-level folder as that folder's.
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const cruised = await cruise(['src'], { ...options, outputType: 'json' });
const result = JSON.parse(cruised.output);
const rules = await format(result, { outputType: 'err' });
process.stdout.write(rules.output);

const cycles = folderCycles(result.modules);
for (const cycle of cycles) {
  process.stdout.write(`\n  error top-level-folder-cycle: ${cycle.folders.join(' ⇄ ')} import each other:\n`);
  for (const edge of cycle.edges) process.stdout.write(`    ${edge.from} → ${edge.to}: ${edge.example}\n`);
}
process.stdout.write(
  cycles.length > 0
    ? `\nx ${cycles.length} cycle(s) among the top-level folders of src/\n\n`
    : `✔ no cycles among the top-level folders of src/ (${countFolders(result.modules)} folders and files)\n\n`,
);
process.exitCode = rules.exitCode !== 0 || cycles.length > 0 ? 1 : 0;

/** A file directly in src/ is a node of its own, as src/cli.ts; anything deeper belongs to its top folder. */
function topLevel(file) {
  const match = /^src\/([^/]+)(\/)?/.exec(file);
  if (!match) return null;
  return match[2] ? `src/${match[1]}/` : `src/${match[1]}`;
}

function countFolders(modules) {
  return new Set(modules.map((module) => topLevel(module.source)).filter(Boolean)).size;
}

function folderCycles(modules) {
  const edges = new Map(); // from folder → (to folder → the first import seen)
  for (const module of modules) {
    const from = topLevel(module.source);
    if (!from) continue;
    for (const dependency of module.dependencies) {
      const to = topLevel(dependency.resolved);
      if (!to || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      const typeOnly = dependency.dependencyTypes.includes('type-only') ? ' (type-only)' : '';
      if (!edges.get(from).has(to)) edges.get(from).set(to, `${module.source} imports ${dependency.resolved}${typeOnly}`);
    }
  }
  return stronglyConnected(edges)
    .filter((component) => component.length > 1)
    .map((component) => {
      const members = new Set(component);
      const folders = [...component].sort();
      const within = folders.flatMap((from) =>
        [...(edges.get(from) ?? [])].filter(([to]) => members.has(to)).map(([to, example]) => ({ from, to, example })),
      );
      return { folders, edges: within };
    });
}

/** Tarjan's algorithm: the strongly connected components of the folder graph. */
function stronglyConnected(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (v) => {
    index.set(v, index.size);
    low.set(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    components.push(component);
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return components;
}

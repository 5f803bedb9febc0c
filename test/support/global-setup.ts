import type { TestProject } from 'vitest/node';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/embedded/embedded-server.ts';
import { freePort } from '../../src/util/free-port.ts';

/** Roles the auth tests use: each authenticates with a different method. */
export const AUTH_HBA_LINES = [
  'host all md5_user 127.0.0.1/32 md5',
  'host all scram_user 127.0.0.1/32 scram-sha-256',
  'host all password_user 127.0.0.1/32 password',
];

declare module 'vitest' {
  export interface ProvidedContext {
    upstreamUrl: string;
  }
}

let server: EmbeddedServer | undefined;
let dir: string | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests that start modelgres as a process run dist/cli.js, as `npm start` does.
  await import('../../scripts/build.mjs');
  const external = process.env.MODELGRES_TEST_UPSTREAM;
  if (external) {
    project.provide('upstreamUrl', external);
    return async () => {};
  }
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-test-'));
  server = await startEmbeddedServer({ dataDir: dir, port: await freePort(), hbaLines: AUTH_HBA_LINES });
  project.provide('upstreamUrl', server.url);
  return async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}


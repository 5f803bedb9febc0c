import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { tempModelDir, writeModel } from '../artifacts/support/onnx-files.ts';
import { regressor } from '../artifacts/support/test-models.ts';

/*
 * CREATE MODEL ... FROM 'path': the model directory is the only place a path may reach, whatever
 * the spelling, beyond test/models/import-onnx's first cases. Every way out is 22023, before
 * anything is registered, and no message names the server's directories.
 */

const SIGNATURE = '(float8, float8, float8) RETURNS float8';

let proxy: TestProxy;
let c: pg.Client;
let modelDir: string;
let outside: string;

beforeAll(async () => {
  modelDir = await tempModelDir();
  outside = await mkdtemp(path.join(os.tmpdir(), 'modelgres-outside-'));
  // Valid models everywhere: a refusal is about the path, never about the file.
  await writeModel(modelDir, 'regressor.onnx', regressor());
  await mkdir(path.join(modelDir, 'team'));
  await writeModel(path.join(modelDir, 'team'), 'inside.onnx', regressor());
  await writeModel(outside, 'outside.onnx', regressor());
  await symlink(outside, path.join(modelDir, 'linked-dir'));
  await symlink(path.join(outside, 'outside.onnx'), path.join(modelDir, 'team', 'hop1.onnx'));
  await symlink(path.join(modelDir, 'team', 'hop1.onnx'), path.join(modelDir, 'hop2.onnx'));
  await symlink('../../..' + outside + '/outside.onnx', path.join(modelDir, 'relative-out.onnx'));
  await symlink('team/inside.onnx', path.join(modelDir, 'inside-link.onnx'));
  proxy = await startTestProxy({ modelDir });
  c = await proxy.client();
});

afterAll(async () => {
  await proxy.close();
  await rm(outside, { recursive: true, force: true });
});

async function refusal(file: string): Promise<pg.DatabaseError | null> {
  return c.query(`CREATE MODEL byom_path FROM ${pg.escapeLiteral(file)} FUNCTION byom_path_fn ${SIGNATURE}`).then(
    () => null,
    (e: pg.DatabaseError) => e,
  );
}

describe('BYOM paths cannot leave the model directory (22023)', () => {
  test.each([
    ['team/../regressor.onnx', /'\.\.' is not allowed/],
    ['team/../../outside.onnx', /'\.\.' is not allowed/],
    ['..\\regressor.onnx', /'\.\.' is not allowed/],
    ['./..', /'\.\.' is not allowed/],
  ])("'..' in any position: %s", async (file, message) => {
    const e = await refusal(file);
    expect(e).toMatchObject({ code: '22023' });
    expect(e?.message).toMatch(message);
  });

  test('absolute paths, even one that names a file inside the model directory', async () => {
    for (const file of [path.join(modelDir, 'regressor.onnx'), path.join(outside, 'outside.onnx'), '/dev/zero', 'C:\\models\\x.onnx', '\\\\server\\share\\x.onnx']) {
      const e = await refusal(file);
      expect(e, file).toMatchObject({ code: '22023' });
      expect(e?.message, file).toMatch(/absolute path/);
    }
  });

  test('symbolic links out of the directory: a linked directory, a chain of links, a relative link', async () => {
    for (const file of ['linked-dir/outside.onnx', 'hop2.onnx', 'team/hop1.onnx', 'relative-out.onnx']) {
      const e = await refusal(file);
      expect(e, file).toMatchObject({ code: '22023' });
      expect(e?.message, file).toBe(`model file '${file}' leaves the model directory (through a symbolic link)`);
    }
  });

  test('what is refused names the user’s path only, never the server’s directories; nothing is registered', async () => {
    for (const file of ['linked-dir/outside.onnx', 'hop2.onnx', '../x.onnx', 'missing/deep/x.onnx', 'file:///etc/passwd', '~/x.onnx']) {
      const e = await refusal(file);
      expect(e, file).toMatchObject({ code: '22023' });
      for (const text of [e?.message, e?.detail, e?.hint]) {
        expect(text ?? '', file).not.toContain(modelDir);
        expect(text ?? '', file).not.toContain(outside);
      }
    }
    expect((await c.query(`SELECT count(*)::int AS n FROM modelgres.models WHERE model_name = 'byom_path'`)).rows).toEqual([{ n: 0 }]);
  });

  test('inside the directory the same files import: a subdirectory and a link that stays inside', async () => {
    for (const [i, file] of ['team/inside.onnx', 'inside-link.onnx'].entries()) {
      await c.query(`CREATE MODEL byom_inside_${i} FROM ${pg.escapeLiteral(file)} FUNCTION byom_inside_fn_${i} ${SIGNATURE}`);
      // The regressor of test/artifacts/support/test-models: 2a - b + 0.5c + 3.
      expect((await c.query(`SELECT byom_inside_fn_${i}(1, 2, 3) AS p`)).rows).toEqual([{ p: 2 * 1 - 2 + 0.5 * 3 + 3 }]);
    }
  });
});

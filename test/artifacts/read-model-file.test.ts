import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readModelFile } from '../../src/artifacts/index.ts';
import { regressor } from './support/test-models.ts';
import { rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';

let root: string;
let modelDir: string;
const bytes = regressor();

/** root/models is the model directory; root/outside.onnx is a real model just outside it. */
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'modelgres-artifacts-'));
  modelDir = path.join(root, 'models');
  await mkdir(path.join(modelDir, 'nested'), { recursive: true });
  await writeFile(path.join(modelDir, 'nested', 'model.onnx'), bytes);
  await writeFile(path.join(root, 'outside.onnx'), bytes);
  await symlink(path.join(root, 'outside.onnx'), path.join(modelDir, 'escape.onnx'));
  await symlink('/etc/passwd', path.join(modelDir, 'passwd.onnx'));
  await symlink(path.join(modelDir, 'nested', 'model.onnx'), path.join(modelDir, 'alias.onnx'));
  await symlink('loop-b.onnx', path.join(modelDir, 'loop-a.onnx'));
  await symlink('loop-a.onnx', path.join(modelDir, 'loop-b.onnx'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function refused(userPath: string, message: string, maxBytes = 1 << 20) {
  return expect(readModelFile(modelDir, userPath, maxBytes)).rejects.toMatchObject({ name: 'ClientError', code: '22023', message });
}

describe('readModelFile', () => {
  test('reads a file under the model directory, and a symbolic link that stays inside it', async () => {
    expect(await readModelFile(modelDir, 'nested/model.onnx', 1 << 20)).toEqual(bytes);
    expect(await readModelFile(modelDir, './nested//model.onnx', bytes.length)).toEqual(bytes);
    expect(await readModelFile(modelDir, 'alias.onnx', 1 << 20)).toEqual(bytes);
  });

  test('the model directory itself may be reached through a symbolic link', async () => {
    const link = path.join(root, 'models-link');
    await symlink(modelDir, link);
    expect(await readModelFile(link, 'nested/model.onnx', 1 << 20)).toEqual(bytes);
  });

  test("'..' is refused even when it would land back inside", async () => {
    await refused('../outside.onnx', "model file '../outside.onnx' leaves the model directory ('..' is not allowed)");
    await refused('nested/../nested/model.onnx', "model file 'nested/../nested/model.onnx' leaves the model directory ('..' is not allowed)");
    await refused('..\\outside.onnx', "model file '..\\outside.onnx' leaves the model directory ('..' is not allowed)");
  });

  test('absolute paths are refused', async () => {
    await refused('/etc/passwd', "model file '/etc/passwd' is an absolute path");
    await refused(path.join(modelDir, 'nested', 'model.onnx'), `model file '${path.join(modelDir, 'nested', 'model.onnx')}' is an absolute path`);
  });

  test('symbolic links that lead outside are refused', async () => {
    await refused('escape.onnx', "model file 'escape.onnx' leaves the model directory (through a symbolic link)");
    await refused('passwd.onnx', "model file 'passwd.onnx' leaves the model directory (through a symbolic link)");
    await refused('loop-a.onnx', "model file 'loop-a.onnx' is a symbolic link loop");
  });

  test('missing files, directories, empty paths', async () => {
    await refused('nope.onnx', "model file 'nope.onnx' does not exist in the model directory");
    await refused('nested', "model file 'nested' is a directory, not a file");
    await refused('.', "model file '.' is a directory, not a file");
    await refused('', 'model file path is empty');
  });

  test('a FIFO is refused as not a regular file, without waiting for a writer', async () => {
    execFileSync('mkfifo', [path.join(modelDir, 'pipe.onnx')]);
    await refused('pipe.onnx', "model file 'pipe.onnx' is not a regular file");
  });

  test('files over the size limit are refused before being read', async () => {
    await refused('nested/model.onnx', `model file 'nested/model.onnx' is ${bytes.length} bytes, over the limit of ${bytes.length - 1} bytes`, bytes.length - 1);
  });

  test('a missing model directory is the server\'s, and says so without naming it', async () => {
    await expect(readModelFile(path.join(root, 'no-such-dir'), 'model.onnx', 100)).rejects.toMatchObject({
      code: '22023',
      message: 'the server has no model directory to read ONNX files from',
    });
  });

  test('every refusal carries a hint saying what to do', async () => {
    await expect(readModelFile(modelDir, '../x.onnx', 100)).rejects.toMatchObject({ hint: 'Give a path inside the model directory.' });
    await expect(readModelFile(modelDir, 'nested/model.onnx', 10)).rejects.toMatchObject({
      hint: 'Use a smaller model, or ask the administrator to raise the model size limit.',
    });
  });
});

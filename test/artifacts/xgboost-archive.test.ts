import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { modelFileInArchive } from '../../src/artifacts/xgboost-archive.ts';

/*
 * The archive reader against archives GNU tar itself writes: long names in both of its formats
 * (GNU 'L' records and pax headers), directories beside the file, and the size cap on what a
 * gzip unpacks to.
 */

let dir: string;
const model = '{"learner": "stand-in"}';
const deep = `${'a-long-directory-name-'.repeat(6)}/sagemaker/output`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-tar-'));
  await mkdir(path.join(dir, 'src', deep), { recursive: true });
  await writeFile(path.join(dir, 'src', deep, 'xgboost-model'), model);
  await writeFile(path.join(dir, 'src', 'README'), 'not the model');
  for (const format of ['gnu', 'pax', 'ustar']) {
    const args = format === 'ustar' ? ['src/README'] : ['src'];
    execFileSync('tar', [`--format=${format}`, '-czf', path.join(dir, `${format}.tar.gz`), '-C', dir, ...args]);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const read = async (name: string, maxBytes = 1 << 20) => modelFileInArchive(await readFile(path.join(dir, name)), name, maxBytes);

describe('the model inside a .tar.gz', () => {
  test.each(['gnu', 'pax'])('%s format: the member named xgboost-model under a path over 100 characters, beside other files', async (format) => {
    const member = await read(`${format}.tar.gz`);
    expect(member.name).toBe(`src/${deep}/xgboost-model`);
    expect(new TextDecoder().decode(member.bytes)).toBe(model);
  });

  test('the only file of an archive, whatever its name', async () => {
    const member = await read('ustar.tar.gz');
    expect(member.name).toBe('src/README');
    expect(new TextDecoder().decode(member.bytes)).toBe('not the model');
  });

  test('what unpacks to more than the limit is refused before it is all in memory', async () => {
    await writeFile(path.join(dir, 'bomb.tar.gz'), gzipSync(Buffer.alloc(8 << 20)));
    await expect(read('bomb.tar.gz', 1 << 20)).rejects.toMatchObject({ code: '22023', message: `model archive 'bomb.tar.gz' unpacks to more than the limit of ${1 << 20} bytes` });
  });

  test('gzip that is not tar, and bytes that are not gzip after the magic', async () => {
    await writeFile(path.join(dir, 'text.gz'), gzipSync(Buffer.from('x'.repeat(2000))));
    await expect(read('text.gz')).rejects.toMatchObject({ code: '22023', message: expect.stringMatching(/is not a tar archive/) });
    await writeFile(path.join(dir, 'broken.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(read('broken.gz')).rejects.toMatchObject({ code: '22023', message: expect.stringMatching(/is not a valid gzip file/) });
  });
});

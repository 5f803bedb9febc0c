import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

export interface SuperuserPassword {
  password: string;
  /** True when this run made the password (and wrote the file): the one time it is shown. */
  generated: boolean;
}

/**
 * The embedded superuser's password from `--password-file` (its first line). A file that does not
 * exist is created with a new random password, readable by its owner only.
 */
export async function readPasswordFile(file: string): Promise<SuperuserPassword> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read --password-file ${file}: ${(error as Error).message}`);
    // 24 characters of URL-safe base64: 144 random bits, nothing to quote in a connection string.
    const password = randomBytes(18).toString('base64url');
    // 'wx': another process that made the file meanwhile wins, and this run fails rather than overwrite it.
    await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
    return { password, generated: true };
  }
  const password = text.split(/\r?\n/)[0];
  if (!password) throw new Error(`--password-file ${file} is empty: write the postgres role's password on its first line, or remove the file to have one generated.`);
  return { password, generated: false };
}

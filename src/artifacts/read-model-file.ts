import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { refuse } from './refusal.ts';

/**
 * Reads `userPath` (as written in CREATE MODEL ... FROM '...') from the server's model directory.
 * Refuses, before reading a byte, anything that would leave the directory: '..', absolute paths,
 * and symbolic links that resolve outside it. Messages name the user's path, never the server's
 * directory, which the client has no business knowing.
 */
export async function readModelFile(modelDir: string, userPath: string, maxBytes: number): Promise<Uint8Array> {
  checkShape(userPath);
  const root = await realDirectory(modelDir, userPath);
  const real = await realTarget(root, userPath);
  const inside = path.relative(root, real);
  if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    throw refuse(
      `model file '${userPath}' leaves the model directory (through a symbolic link)`,
      'Copy the ONNX file itself into the model directory.',
    );
  }
  return readCapped(real, userPath, maxBytes);
}

/** Cheap lexical checks first, so an attempt never touches the file system outside the directory. */
function checkShape(userPath: string): void {
  if (userPath === '') throw refuse('model file path is empty', 'Give the path of an ONNX file relative to the model directory.');
  if (userPath.includes('\0')) throw refuse('model file path contains a NUL character');
  // Redshift reads SageMaker's model.tar.gz from S3; modelgres only from its model directory.
  if (/^s3:\/\//i.test(userPath)) {
    throw new ClientError(SqlState.featureNotSupported, `model file '${userPath}' is in S3, which modelgres does not read`, {
      hint: 'Copy the file (an ONNX file, or an XGBoost model.tar.gz or JSON model) into the model directory and give its path relative to it.',
    });
  }
  if (path.isAbsolute(userPath) || path.win32.isAbsolute(userPath)) {
    throw refuse(`model file '${userPath}' is an absolute path`, 'Give the path relative to the model directory, e.g. \'models/churn.onnx\'.');
  }
  if (userPath.split(/[\\/]/).includes('..')) {
    throw refuse(`model file '${userPath}' leaves the model directory ('..' is not allowed)`, 'Give a path inside the model directory.');
  }
}

async function realDirectory(modelDir: string, userPath: string): Promise<string> {
  try {
    return await realpath(modelDir);
  } catch (e) {
    if (isDenied(e)) throw directoryDenied(userPath);
    throw refuse('the server has no model directory to read ONNX files from', 'Ask the administrator to set the proxy\'s model directory.');
  }
}

/*
 * The server's own file system failing it is not the user's to fix: as PostgreSQL answers for its
 * files, a permission refused is 42501 and any other I/O failure 58030, saying what to ask for.
 */
function isDenied(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM';
}

function directoryDenied(userPath: string): ClientError {
  return new ClientError(SqlState.insufficientPrivilege, `model file '${userPath}' cannot be read: the server has no permission to read the model directory`, {
    hint: 'Ask the administrator to give the user modelgres runs as read access to the model directory.',
  });
}

function ioFailure(userPath: string, e: unknown): ClientError {
  const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
  return new ClientError(SqlState.ioError, `model file '${userPath}' cannot be read: the server's file system failed (${code})`, {
    hint: 'Ask the administrator to check the disk that holds the model directory.',
  });
}

async function realTarget(root: string, userPath: string): Promise<string> {
  try {
    return await realpath(path.resolve(root, userPath));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw refuse(`model file '${userPath}' is a symbolic link loop`);
    if (isDenied(e)) throw directoryDenied(userPath);
    throw refuse(`model file '${userPath}' does not exist in the model directory`, 'Check the path; it is relative to the model directory.');
  }
}

async function readCapped(real: string, userPath: string, maxBytes: number): Promise<Uint8Array> {
  // O_NOFOLLOW: the resolved path has no link in its last component now; if someone swaps one in
  // between realpath and open, opening fails instead of following it outside.
  // O_NONBLOCK: opening a FIFO must not hang the proxy; it is refused as not regular just below.
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (isDenied(e)) {
      throw new ClientError(SqlState.insufficientPrivilege, `model file '${userPath}' cannot be read: the server has no permission to read it`, {
        hint: 'Ask the administrator to give the user modelgres runs as read access to the file.',
      });
    }
    if ((e as NodeJS.ErrnoException).code === 'EIO') throw ioFailure(userPath, e);
    throw refuse(`model file '${userPath}' cannot be opened`, 'Make it a readable regular file in the model directory.');
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw refuse(`model file '${userPath}' is a directory, not a file`, 'Name the .onnx file inside it.');
    if (!stat.isFile()) throw refuse(`model file '${userPath}' is not a regular file`, 'Name an ONNX file in the model directory.');
    if (stat.size > maxBytes) throw tooLarge(userPath, stat.size, maxBytes);
    // Read one byte more than fstat saw: a file growing while being read is caught, not cut short.
    const buffer = new Uint8Array(stat.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null).catch((e: unknown) => {
        throw ioFailure(userPath, e);
      });
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > stat.size) throw refuse(`model file '${userPath}' changed while being read`, 'Try again once it is completely written.');
    }
    return buffer.slice(0, length);
  } finally {
    await handle.close();
  }
}

function tooLarge(userPath: string, size: number, maxBytes: number) {
  return refuse(
    `model file '${userPath}' is ${size} bytes, over the limit of ${maxBytes} bytes`,
    'Use a smaller model, or ask the administrator to raise the model size limit.',
  );
}

import { gunzipSync } from 'node:zlib';
import { refuse } from './refusal.ts';

/** The name SageMaker's built-in XGBoost gives the model inside its model.tar.gz. */
const SAGEMAKER_MEMBER = 'xgboost-model';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The model file inside a .tar.gz: the member named 'xgboost-model' (SageMaker's name), else the
 * archive's only regular file. Unpacked in memory, never onto disk, and capped at maxBytes
 * uncompressed, so an archive cannot write anywhere or fill the memory.
 *
 * A tar is 512-byte headers, each followed by its data rounded up to 512 bytes (POSIX ustar);
 * read here directly: regular files, with long names from pax ('x') or GNU ('L') headers.
 */
export function modelFileInArchive(gz: Uint8Array, userPath: string, maxBytes: number): { name: string; bytes: Uint8Array } {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: maxBytes });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw refuse(`model archive '${userPath}' unpacks to more than the limit of ${maxBytes} bytes`, 'Use a smaller model, or ask the administrator to raise the model size limit.');
    }
    throw refuse(`model archive '${userPath}' is not a valid gzip file (${(e as Error).message})`);
  }
  const files = tarMembers(tar, userPath);
  const chosen = files.find((f) => baseName(f.name) === SAGEMAKER_MEMBER) ?? (files.length === 1 ? files[0] : undefined);
  if (!chosen) {
    throw refuse(
      files.length === 0
        ? `model archive '${userPath}' holds no file`
        : `model archive '${userPath}' holds ${files.length} files (${files.map((f) => f.name).join(', ')}) and none is named '${SAGEMAKER_MEMBER}'`,
      `Put the XGBoost model in the archive alone, or name it '${SAGEMAKER_MEMBER}'.`,
    );
  }
  return chosen;
}

function tarMembers(tar: Buffer, userPath: string): Array<{ name: string; bytes: Uint8Array }> {
  const files: Array<{ name: string; bytes: Uint8Array }> = [];
  let longName: string | undefined;
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    if (!checksumOk(header)) throw refuse(`model archive '${userPath}' is not a tar archive (a header's checksum is wrong)`, 'Make it with tar -czf model.tar.gz xgboost-model.');
    const size = sizeOf(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] || 0x30);
    const dataStart = offset + 512;
    if (dataStart + size > tar.length) throw refuse(`model archive '${userPath}' is cut short`);
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    const name = longName ?? ustarName(header);
    longName = undefined;
    if (type === '0' || type === '7') files.push({ name: name.replace(/^(\.\/)+/, ''), bytes: new Uint8Array(data) });
  }
  return files;
}

function ustarName(header: Buffer): string {
  const field = (from: number, length: number) => header.subarray(from, from + length).toString('utf8').replace(/\0.*$/s, '');
  const name = field(0, 100);
  const prefix = header.subarray(257, 262).toString('latin1') === 'ustar' ? field(345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** Octal text, or base-256 (high bit set) for sizes past 8 GB, as GNU tar writes them. */
function sizeOf(field: Buffer): number {
  if (field[0] & 0x80) return field.subarray(1).reduce((n, b) => n * 256 + b, field[0] & 0x7f);
  return parseInt(field.toString('latin1').replace(/[\0 ]+/g, '') || '0', 8);
}

/** The header's bytes summed with its checksum field read as spaces. */
function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return parseInt(header.subarray(148, 156).toString('latin1').replace(/[\0 ]+/g, '') || '-1', 8) === sum;
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

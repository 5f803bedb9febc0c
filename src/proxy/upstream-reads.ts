import net from 'node:net';
import type { UpstreamAddress } from './upstream-address.ts';

/**
 * Node's default read size, and libuv's: a chunk of answers or of COPY data fits in one read.
 * Larger reads would only help bulk transfers, which are not what a proxy's reads are mostly.
 */
const READ_BUFFER_SIZE = 64 * 1024;

/**
 * The memory the upstream socket reads into, reused from one read to the next. A Readable stream
 * would allocate a new 64 kB buffer for every read and run its 'data' machinery; passthrough
 * usually writes a read's bytes to the client at once (the write completes before the callback
 * returns), so the same memory can take the next read. Whoever keeps bytes past the callback (a
 * paused frame stream, a write that went asynchronous, a consumer holding rows) calls keep(), and
 * the next read goes to fresh memory instead; nothing is ever copied to make room.
 */
export class UpstreamReadBuffer {
  private buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  private kept = false;

  /** Bytes of the current read outlive the read callback: they must not be overwritten. */
  keep(): void {
    this.kept = true;
  }

  /** For onread's `buffer`: net calls it before the first read and after each callback. */
  readonly next = (): Buffer => {
    if (this.kept) {
      this.buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
      this.kept = false;
    }
    return this.buffer;
  };
}

/**
 * Connects to PostgreSQL with net's onread option: each read lands in `buffer` and is passed to
 * `onChunk` as a view of it, without the socket's Readable side ('data' never fires; 'end',
 * 'close', 'error', pause() and resume() work as usual).
 */
export function connectUpstreamReading(
  address: UpstreamAddress,
  buffer: UpstreamReadBuffer,
  onChunk: (chunk: Buffer) => void,
): net.Socket {
  const onread = {
    buffer: buffer.next,
    callback: (length: number, into: Uint8Array): boolean => {
      onChunk(Buffer.from(into.buffer, into.byteOffset, length));
      return true;
    },
  };
  const socket =
    'socketPath' in address
      ? net.connect({ path: address.socketPath, onread })
      : net.connect({ port: address.port, host: address.host, onread });
  socket.setNoDelay(true);
  return socket;
}

import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/** Largest message PostgreSQL accepts (PQ_LARGE_MESSAGE_LIMIT, 1 GB - 1). */
const MAX_MESSAGE_LENGTH = 0x3fffffff;
/**
 * A whole message that spans chunks starts in a buffer this large at most, which doubles as its
 * bytes arrive: memory follows the bytes received, not the length a header announces (40 clients
 * each announcing a 16 MB Query reserved 640 MB before sending a byte more).
 */
const FIRST_WHOLE_BYTES = 64 * 1024;

export interface FrameSink {
  /**
   * Whether to hand this message over whole (onMessage) rather than as raw bytes (onRaw).
   * Buffering costs a copy only when a message spans chunks; raw bytes are never copied.
   */
  wantsWhole(type: number, length: number, inThisChunk: boolean): boolean;
  /** A whole message. `raw` includes the 5-byte header. Return 'pause' to stop processing here. */
  onMessage(type: number, body: Buffer, raw: Buffer): 'continue' | 'pause';
  /** Bytes of messages passed through as they came, in stream order. */
  onRaw(bytes: Buffer): void;
  /**
   * A passed-through message has ended (lets the sink count messages). Its bytes may reach onRaw
   * a little later, always before anything that follows them in the stream. When the whole
   * message came in one chunk its body is `chunk[bodyStart, bodyEnd)` (no view is made unless the
   * sink makes one: this runs for every message passed through), else `chunk` is null.
   */
  onRawMessageEnd?(type: number, chunk: Buffer | null, bodyStart: number, bodyEnd: number): void;
  /** A header announced a message boundary that PostgreSQL would never send or accept. */
  onProtocolError(error: ClientError): void;
}

/**
 * Splits a byte stream into protocol 3 messages (a type byte, then an int32 length that counts
 * itself). It reads only headers of messages it passes through, so forwarding stays a matter of
 * slicing the chunks that arrived.
 */
export class FrameStream {
  private header = Buffer.alloc(5);
  private headerFill = 0;
  /** Bytes of the current message body still to come, when a message spans chunks. */
  private bodyLeft = 0;
  private currentType = 0;
  private whole: Buffer | null = null;
  private wholeFill = 0;
  /** Size of the message being assembled in `whole`, its 5-byte header included. */
  private wholeSize = 0;
  private pending: Buffer | null = null;
  private failed = false;

  constructor(private readonly sink: FrameSink) {}

  /** Bytes held back by a pause, if any. */
  get paused(): boolean {
    return this.pending !== null;
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    if (this.pending) {
      this.pending = Buffer.concat([this.pending, chunk]);
      return;
    }
    this.process(chunk);
  }

  /** Continues with the bytes held back when onMessage answered 'pause'. */
  resume(): void {
    const rest = this.pending;
    this.pending = null;
    if (rest && rest.length > 0) this.process(rest);
  }

  private process(chunk: Buffer): void {
    const sink = this.sink;
    const size = chunk.length;
    let offset = 0;
    // Start of the passed-through bytes not yet handed to onRaw (-1: none). They go out as one
    // slice per run of raw messages, so a chunk of answers usually leaves in one write.
    let rawStart = -1;

    while (offset < size) {
      // Continue a body that started in an earlier chunk.
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, size - offset);
        if (this.whole) {
          this.makeRoom(take);
          chunk.copy(this.whole, this.wholeFill, offset, offset + take);
          this.wholeFill += take;
        } else if (rawStart < 0) {
          rawStart = offset;
        }
        offset += take;
        this.bodyLeft -= take;
        if (this.bodyLeft === 0) {
          if (this.whole) {
            const raw = this.whole.subarray(0, this.wholeFill);
            this.whole = null;
            if (this.deliver(this.currentType, raw) === 'pause') {
              this.pending = chunk.subarray(offset);
              return;
            }
          } else {
            sink.onRawMessageEnd?.(this.currentType, null, 0, 0);
          }
        }
        continue;
      }

      // A header split across chunks.
      if (this.headerFill > 0 || size - offset < 5) {
        if (rawStart >= 0) {
          if (offset > rawStart) sink.onRaw(chunk.subarray(rawStart, offset));
          rawStart = -1;
        }
        const take = Math.min(5 - this.headerFill, size - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < 5) break;
        this.headerFill = 0;
        if (!this.startMessage(this.header[0], this.header.readInt32BE(1), this.header, chunk, offset)) return;
        continue;
      }

      // The common case: the header is inside this chunk.
      const type = chunk[offset];
      const length = ((chunk[offset + 1] << 24) | (chunk[offset + 2] << 16) | (chunk[offset + 3] << 8) | chunk[offset + 4]);
      if (!this.checkLength(length)) {
        if (rawStart >= 0 && offset > rawStart) sink.onRaw(chunk.subarray(rawStart, offset));
        return;
      }
      const end = offset + 1 + length;
      if (end <= size) {
        if (sink.wantsWhole(type, length, true)) {
          if (rawStart >= 0) {
            if (offset > rawStart) sink.onRaw(chunk.subarray(rawStart, offset));
            rawStart = -1;
          }
          const raw = chunk.subarray(offset, end);
          offset = end;
          if (this.deliver(type, raw) === 'pause') {
            this.pending = chunk.subarray(offset);
            return;
          }
        } else {
          if (rawStart < 0) rawStart = offset;
          sink.onRawMessageEnd?.(type, chunk, offset + 5, end);
          offset = end;
        }
        continue;
      }
      // The message runs past this chunk.
      this.currentType = type;
      this.bodyLeft = end - size;
      if (sink.wantsWhole(type, length, false)) {
        if (rawStart >= 0) {
          if (offset > rawStart) sink.onRaw(chunk.subarray(rawStart, offset));
          rawStart = -1;
        }
        this.wholeSize = 1 + length;
        this.whole = Buffer.allocUnsafe(Math.min(this.wholeSize, Math.max(FIRST_WHOLE_BYTES, size - offset)));
        chunk.copy(this.whole, 0, offset);
        this.wholeFill = size - offset;
      } else if (rawStart < 0) {
        rawStart = offset;
      }
      offset = size;
    }
    if (rawStart >= 0 && size > rawStart) sink.onRaw(rawStart === 0 ? chunk : chunk.subarray(rawStart, size));
  }

  /** Begins a message whose header was assembled from several chunks. */
  private startMessage(type: number, length: number, header: Buffer, chunk: Buffer, offset: number): boolean {
    if (!this.checkLength(length)) return false;
    this.currentType = type;
    this.bodyLeft = length - 4;
    if (this.sink.wantsWhole(type, length, false)) {
      this.wholeSize = 1 + length;
      this.whole = Buffer.allocUnsafe(Math.min(this.wholeSize, FIRST_WHOLE_BYTES));
      header.copy(this.whole, 0, 0, 5);
      this.wholeFill = 5;
      if (this.bodyLeft === 0) {
        const raw = this.whole.subarray(0, 5);
        this.whole = null;
        if (this.deliver(type, raw) === 'pause') {
          this.pending = chunk.subarray(offset);
          return false;
        }
      }
    } else {
      this.sink.onRaw(Buffer.from(header));
      if (this.bodyLeft === 0) this.sink.onRawMessageEnd?.(type, header, 5, 5);
    }
    return true;
  }

  /** Grows `whole` (doubling, up to the message's size) so that `n` more bytes fit. */
  private makeRoom(n: number): void {
    const whole = this.whole!;
    const needed = this.wholeFill + n;
    if (needed <= whole.length) return;
    const grown = Buffer.allocUnsafe(Math.min(this.wholeSize, Math.max(needed, whole.length * 2)));
    whole.copy(grown, 0, 0, this.wholeFill);
    this.whole = grown;
  }

  private deliver(type: number, raw: Buffer): 'continue' | 'pause' {
    return this.sink.onMessage(type, raw.subarray(5), raw);
  }

  private checkLength(length: number): boolean {
    if (length >= 4 && length <= MAX_MESSAGE_LENGTH) return true;
    this.failed = true;
    this.sink.onProtocolError(
      new ClientError(SqlState.protocolViolation, `invalid message length ${length}`, { severity: 'FATAL' }),
    );
    return false;
  }
}

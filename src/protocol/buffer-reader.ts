import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/**
 * Reads a message body. Every read is bounds-checked: a message that lies about its contents
 * becomes a protocol_violation, never an out-of-range read.
 */
export class BufferReader {
  offset: number;

  constructor(private readonly buffer: Buffer, start = 0, private readonly end = buffer.length) {
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.end) throw malformed();
  }

  byte(): number {
    this.need(1);
    return this.buffer[this.offset++];
  }

  int16(): number {
    this.need(2);
    const v = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  cstring(): string {
    const zero = this.buffer.indexOf(0, this.offset);
    if (zero < 0 || zero >= this.end) throw malformed();
    const s = this.buffer.toString('utf8', this.offset, zero);
    this.offset = zero + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buffer.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
}

function malformed(): ClientError {
  return new ClientError(SqlState.protocolViolation, 'invalid message format', { severity: 'FATAL' });
}

/**
 * Builds backend messages: a type byte, an int32 length that counts itself and the body, and
 * the body. The length is filled in last, once the body is known.
 */
export class MessageWriter {
  private buffer: Buffer;
  private offset = 5;

  constructor(private readonly type: number, initialSize = 64) {
    this.buffer = Buffer.allocUnsafe(Math.max(initialSize, 16));
  }

  private ensure(extra: number): void {
    if (this.offset + extra <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + extra));
    this.buffer.copy(next, 0, 0, this.offset);
    this.buffer = next;
  }

  int8(value: number): this {
    this.ensure(1);
    this.buffer.writeUInt8(value, this.offset);
    this.offset += 1;
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.offset);
    this.offset += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  cstring(value: string): this {
    const length = Buffer.byteLength(value);
    this.ensure(length + 1);
    this.buffer.write(value, this.offset, 'utf8');
    this.offset += length;
    this.buffer[this.offset++] = 0;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.ensure(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  /** A value as DataRow and Bind carry it: its length then its bytes (text as UTF-8); -1 for NULL. */
  value(v: string | Uint8Array | null): this {
    if (v === null) return this.int32(-1);
    const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    return this.int32(bytes.length).bytes(bytes);
  }

  finish(): Buffer {
    this.buffer[0] = this.type;
    this.buffer.writeInt32BE(this.offset - 1, 1);
    return this.buffer.subarray(0, this.offset);
  }
}

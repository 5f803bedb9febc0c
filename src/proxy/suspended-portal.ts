import { Backend } from '../protocol/message-codes.ts';
import { commandComplete } from '../protocol/backend-messages.ts';

/** PortalSuspended: the portal has more rows for a later Execute. */
const PORTAL_SUSPENDED = Buffer.from([Backend.PortalSuspended, 0, 0, 0, 4]);

/**
 * The answer of a proxy portal executed with a row limit (Execute's max rows: JDBC's fetch size,
 * asyncpg's and pg's cursors). The proxy's statements run to the end in one go, so their rows are
 * kept here and handed out as PostgreSQL would hand out a portal's: at most `maxRows` per Execute,
 * PortalSuspended while the limit was reached, CommandComplete when an Execute ends the rows.
 * Holding them costs memory: a limit is what clients set for large results, so the rows are
 * bounded by MAX_HELD_BYTES and a larger result is an error that says what to do.
 */
export class SuspendedPortal {
  private readonly rows: Buffer[] = [];
  private next = 0;
  private tag: string | null = null;
  private partial: Buffer = Buffer.alloc(0);
  private held = 0;
  /** The rows outgrew MAX_HELD_BYTES: the statement's answer is an error instead. */
  overflowed = false;

  /**
   * Takes what the statement wrote to the client: its DataRows and CommandComplete are kept, any
   * other message (a NOTICE, an error) goes on to the client at once through `write`.
   */
  collect(bytes: Buffer, write: (bytes: Buffer) => void): void {
    let buffer = this.partial.length ? Buffer.concat([this.partial, bytes]) : bytes;
    let offset = 0;
    while (buffer.length - offset >= 5) {
      const end = offset + 1 + buffer.readInt32BE(offset + 1);
      if (end > buffer.length) break;
      const message = buffer.subarray(offset, end);
      const type = message[0];
      if (type === Backend.DataRow) {
        // A copy: the bytes may sit in a buffer the next read reuses.
        this.held += message.length;
        if (this.held > MAX_HELD_BYTES) this.overflowed = true;
        else this.rows.push(Buffer.from(message));
      } else if (type === Backend.CommandComplete) {
        this.tag = message.toString('utf8', 5, message.length - 1);
      } else {
        write(message);
      }
      offset = end;
    }
    this.partial = Buffer.from(buffer.subarray(offset));
  }

  /** The next Execute's answer: up to `maxRows` rows (all when 0), then PortalSuspended or CommandComplete. */
  portion(maxRows: number): Buffer {
    const from = this.next;
    const to = maxRows > 0 ? Math.min(this.rows.length, from + maxRows) : this.rows.length;
    this.next = to;
    const parts = this.rows.slice(from, to);
    for (let i = from; i < to; i++) this.rows[i] = EMPTY; // sent: no longer held
    if (maxRows > 0 && to - from === maxRows) return Buffer.concat([...parts, PORTAL_SUSPENDED]);
    // As PostgreSQL: the tag counts the rows of this Execute.
    const tag = this.tag ?? 'SELECT 0';
    this.tag = null;
    const verb = tag.replace(/ \d+$/, '');
    return Buffer.concat([...parts, commandComplete(this.rows.length > 0 ? `${verb} ${to - from}` : tag)]);
  }
}

/** What a portal with a row limit may hold of a statement's rows. */
export const MAX_HELD_BYTES = 256 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

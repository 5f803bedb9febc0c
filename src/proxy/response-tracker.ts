import { Backend, Frontend } from '../protocol/message-codes.ts';

/**
 * Knows which forwarded client messages the upstream has not answered yet. PostgreSQL answers in
 * order, so a queue of expected answers tells when the upstream is idle: only then can the proxy
 * run statements of its own on the same session without mixing their answers with the client's.
 */
export class ResponseTracker {
  private queue: number[] = [];
  private head = 0;
  /** An extended-protocol message failed; the upstream ignores everything until the next Sync. */
  skippingUntilSync = false;
  /**
   * An Execute was sent since the last Sync (or Query): the group's implicit transaction holds
   * the client's statements, and a Sync of the proxy's own would commit them.
   */
  executedSinceSync = false;
  /**
   * The upstream's last answer was ReadyForQuery and nothing was sent since: a Sync from the
   * client now would only be answered with ReadyForQuery again.
   */
  upstreamSynced = true;

  get idle(): boolean {
    return this.head === this.queue.length;
  }

  /** True when a Sync, Query or FunctionCall is still to be answered with ReadyForQuery. */
  get awaitingReadyForQuery(): boolean {
    for (let i = this.head; i < this.queue.length; i++) {
      const t = this.queue[i];
      if (t === Frontend.Sync || t === Frontend.Query || t === Frontend.FunctionCall) return true;
    }
    return false;
  }

  /** A client message went to the upstream. */
  sent(type: number): void {
    this.upstreamSynced = false;
    if (type === Frontend.Execute) this.executedSinceSync = true;
    else if (type === Frontend.Sync || type === Frontend.Query) this.executedSinceSync = false;
    // After an error PostgreSQL discards everything up to the Sync: those messages get no answer.
    if (this.skippingUntilSync && type !== Frontend.Sync) return;
    switch (type) {
      case Frontend.Query:
      case Frontend.Sync:
      case Frontend.FunctionCall:
      case Frontend.Parse:
      case Frontend.Bind:
      case Frontend.Describe:
      case Frontend.Execute:
      case Frontend.Close:
        this.queue.push(type);
    }
  }

  /** An upstream message arrived. Returns true when it completed a ReadyForQuery cycle. */
  received(type: number): boolean {
    if (type === Backend.ReadyForQuery) {
      // Everything up to the Sync/Query this answers is settled.
      while (!this.idle) {
        const t = this.queue[this.head++];
        if (t === Frontend.Sync || t === Frontend.Query || t === Frontend.FunctionCall) break;
      }
      this.skippingUntilSync = false;
      this.upstreamSynced = this.idle;
      this.compact();
      return true;
    }
    if (this.idle) return false;
    const expected = this.queue[this.head];
    if (type === Backend.ErrorResponse) {
      if (expected === Frontend.Query || expected === Frontend.Sync || expected === Frontend.FunctionCall) return false;
      // An extended message failed: the upstream skips to the next Sync.
      while (!this.idle && this.queue[this.head] !== Frontend.Sync) this.head++;
      this.skippingUntilSync = true;
      this.compact();
      return false;
    }
    if (completes(expected, type)) {
      this.head++;
      this.compact();
    }
    return false;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.idle) {
      this.queue.length = 0;
      this.head = 0;
    }
  }
}

function completes(expected: number, type: number): boolean {
  switch (expected) {
    case Frontend.Parse:
      return type === Backend.ParseComplete;
    case Frontend.Bind:
      return type === Backend.BindComplete;
    case Frontend.Describe:
      // A statement's Describe sends ParameterDescription first; RowDescription or NoData ends it.
      return type === Backend.RowDescription || type === Backend.NoData;
    case Frontend.Execute:
      return (
        type === Backend.CommandComplete || type === Backend.EmptyQueryResponse || type === Backend.PortalSuspended
      );
    case Frontend.Close:
      return type === Backend.CloseComplete;
    default:
      return false;
  }
}

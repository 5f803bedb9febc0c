/** Statements longer than this are prepared every time: the cache keeps its memory small. */
const MAX_KEY_LENGTH = 8 * 1024;

/**
 * The last few hundred statements' preparations, by their text. A client that sends the same
 * statement again (a dashboard's query, pgbench, an ORM's one-row lookup) skips PostgreSQL's
 * parser and the rewrite. An entry made before the model functions last changed is stale.
 */
export class PreparedCache<T> {
  private readonly entries = new Map<string, { generation: number; value: T }>();

  constructor(private readonly capacity = 256) {}

  get(text: string, generation: number, prepare: () => T): T {
    if (text.length > MAX_KEY_LENGTH) return prepare();
    const hit = this.entries.get(text);
    if (hit && hit.generation === generation) {
      // Most recently used last, so the oldest goes first.
      this.entries.delete(text);
      this.entries.set(text, hit);
      return hit.value;
    }
    const value = prepare();
    this.entries.delete(text);
    this.entries.set(text, { generation, value });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

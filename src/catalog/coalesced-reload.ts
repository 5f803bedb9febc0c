/**
 * A reload that never runs twice at once: a call while one runs asks for one more run after it
 * (however many calls came), and resolves when that run is done. For in-memory copies of catalog
 * tables that NOTIFY asks to reread: a burst of notifications costs at most two reads.
 */
export function coalescedReload(load: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await load();
      } while (again);
      running = null;
    })();
    return running;
  };
}

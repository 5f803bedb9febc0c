import type net from 'node:net';
import { CLIENTS, ClientStats, type SessionIdentity } from './client-stats.ts';
import { passthroughSeconds, upstreamConnectionErrorsTotal } from './metrics-registry.ts';

/** The counters of a new client connection, listed until its close(). */
export function trackClient(socket: net.Socket, identity: () => SessionIdentity): ClientStats {
  return CLIENTS.add(new ClientStats(socket, identity, (seconds) => passthroughSeconds.observe(seconds), CLIENTS));
}

/** A client's connection to PostgreSQL failed before it was ready. */
export function countUpstreamConnectionError(): void {
  upstreamConnectionErrorsTotal.inc();
}

import net from 'node:net';
import { parse } from 'pg-connection-string';

/** Where the real PostgreSQL listens: TCP host and port, or a Unix socket directory. */
export type UpstreamAddress = { host: string; port: number } | { socketPath: string };

export function upstreamAddressFromUrl(url: string): UpstreamAddress {
  const cfg = parse(url);
  const port = cfg.port ? Number(cfg.port) : 5432;
  const host = cfg.host ?? '127.0.0.1';
  if (host.startsWith('/')) return { socketPath: `${host}/.s.PGSQL.${port}` };
  return { host, port };
}

export function connectUpstream(address: UpstreamAddress): net.Socket {
  const socket = 'socketPath' in address ? net.connect(address.socketPath) : net.connect(address.port, address.host);
  socket.setNoDelay(true);
  return socket;
}

/** CancelRequest's code (PostgreSQL protocol, "CancelRequest": 1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * Asks PostgreSQL to cancel what a backend is running, on a connection of its own, as libpq's
 * PQcancel does. `key` is the backend's process id and secret as its BackendKeyData gave them.
 */
export function sendCancelRequest(address: UpstreamAddress, key: Buffer): void {
  const packet = Buffer.alloc(8 + key.length);
  packet.writeInt32BE(packet.length, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  key.copy(packet, 8);
  forwardCancelRequest(address, packet);
}

/** Sends a whole CancelRequest packet to PostgreSQL as it is; PostgreSQL answers none. */
export function forwardCancelRequest(address: UpstreamAddress, packet: Buffer): void {
  const socket = connectUpstream(address);
  socket.on('error', () => {});
  socket.end(packet);
}

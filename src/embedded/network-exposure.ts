import net from 'node:net';
import type { EmbeddedServer } from './embedded-server.ts';

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

/**
 * Why the proxy must not listen on `host` in front of this embedded server, or null: its clients
 * reach PostgreSQL from loopback, so a pg_hba.conf that trusts loopback would let anyone who can
 * reach `host` in as any role, without a password. Trust is for loopback listeners only.
 */
export function openTrustRefusal(host: string, embedded: EmbeddedServer, passwordGiven: boolean): string | null {
  if (isLoopbackHost(host) || !embedded.trustsLoopback) return null;
  const how = passwordGiven
    ? `change the trust lines of ${embedded.hbaFile} to scram-sha-256`
    : 'start with --password-file FILE (the postgres role\'s password, generated into FILE if it does not exist; every role then logs in with SCRAM)';
  return `--host ${host} would open the embedded PostgreSQL to the network without a password (${embedded.hbaFile} trusts connections from loopback, where the proxy's clients come from): ${how}, or listen on 127.0.0.1.`;
}

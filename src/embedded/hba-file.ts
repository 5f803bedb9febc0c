import net from 'node:net';

/**
 * The embedded cluster's pg_hba.conf as modelgres writes it once, when initdb creates the cluster;
 * from then on the file is the user's. Without a superuser password every connection from this
 * machine is trusted (the proxy then listens on loopback only); with one, every role logs in with
 * SCRAM. `extra` lines (specific roles) come first: PostgreSQL uses the first line that matches.
 */
export function defaultHba(extra: readonly string[], withPassword: boolean): string {
  const method = withPassword ? 'scram-sha-256' : 'trust';
  return [
    `# written by modelgres when it created this cluster; yours to edit (read again at each start).`,
    `# The proxy reaches PostgreSQL over TCP from 127.0.0.1, so 'host' lines decide for its clients.`,
    ...extra,
    `local all all ${method}`,
    `host all all 127.0.0.1/32 ${method}`,
    `host all all ::1/128 ${method}`,
    '',
  ].join('\n');
}

/**
 * Whether a line of the file lets a TCP connection from 127.0.0.1 — the proxy's, carrying a
 * client — in without a password: a `host` or `hostnossl` line with method `trust` whose address
 * covers the loopback. Database and user columns are not weighed (some role is enough), nor line
 * order (an earlier line may shadow a trust line only for some roles). Conservative on purpose.
 */
export function hbaTrustsLoopback(text: string): boolean {
  return hbaLines(text).some((fields) => {
    if (fields[0] !== 'host' && fields[0] !== 'hostnossl') return false;
    const address = fields[3];
    if (address === undefined) return false;
    // An IP address without /n takes its mask from the next column, the method comes after it.
    const separateMask = net.isIP(address) !== 0 && !address.includes('/');
    const method = fields[separateMask ? 5 : 4];
    if (method !== 'trust') return false;
    return coversLoopback(address, separateMask ? fields[4] : undefined);
  });
}

/** The file's records: comments dropped, quoted fields kept whole, continuation lines joined. */
function hbaLines(text: string): string[][] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').match(/"[^"]*"|\S+/g) ?? [])
    .filter((fields) => fields.length > 0);
}

function coversLoopback(address: string, mask: string | undefined): boolean {
  if (['all', 'samehost', 'samenet', 'localhost'].includes(address)) return true;
  const [ip, bits] = address.split('/');
  if (net.isIPv4(ip)) {
    const prefix = bits !== undefined ? Number(bits) : mask !== undefined ? ipv4MaskBits(mask) : 32;
    const list = new net.BlockList();
    list.addSubnet(ip, prefix, 'ipv4');
    return list.check('127.0.0.1', 'ipv4');
  }
  // An IPv6 line does not match the proxy's IPv4 connection; a host name may resolve to anything.
  return !net.isIPv6(ip);
}

function ipv4MaskBits(mask: string): number {
  if (!net.isIPv4(mask)) return 32;
  return mask.split('.').reduce((n, octet) => n + (Number(octet) >>> 0).toString(2).replace(/0/g, '').length, 0);
}

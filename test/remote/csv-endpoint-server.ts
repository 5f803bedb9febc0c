import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A SageMaker-style CSV endpoint for the tests, on loopback: it parses each request's rows with
 * its own RFC 4180 reader (not modelgres's) and keeps them, so tests check what was sent.
 * Each path is one behaviour: /score answers x * 2 + length(s) a row, /flaky fails its first
 * request with 500 then scores, /broken always answers 500, /slow never answers, /pair scores
 * but answers no request until a second one is waiting too (so only a client that keeps two
 * requests in flight gets answers), /bad always answers 400 (counted in `badRequests`). Every
 * request's X-Amzn-SageMaker-Target-Model header is kept, and /slow's requests are counted as
 * they arrive and as their connections close (a client that aborts them closes them).
 */
export interface CsvEndpointServer {
  readonly baseUrl: string;
  /** The rows of each request to /score and /flaky, as parsed here, in arrival order. */
  readonly requests: Array<{ path: string; rows: string[][]; targetModel: string | undefined }>;
  /** Requests /bad has refused. */
  readonly badRequests: () => number;
  /** /slow requests received, and how many of them are still open. */
  readonly slow: () => { arrived: number; open: number };
  close(): Promise<void>;
}

export async function startCsvEndpointServer(): Promise<CsvEndpointServer> {
  const requests: CsvEndpointServer['requests'] = [];
  let flakyFailed = false;
  const waiting: Array<() => void> = [];
  let bad = 0;
  const slow = { arrived: 0, open: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (path === '/slow') {
        // Never answers: the proxy's timeout must fire, or its cancel close the request.
        slow.arrived++;
        slow.open++;
        res.on('close', () => slow.open--);
        return;
      }
      if (path === '/bad') {
        bad++;
        res.writeHead(400, { 'content-type': 'text/plain' }).end('unexpected column count');
        return;
      }
      if (path === '/broken' || (path === '/flaky' && !flakyFailed)) {
        flakyFailed = true;
        res.writeHead(500, { 'content-type': 'text/plain' }).end('model container crashed');
        return;
      }
      if (req.headers['content-type'] !== 'text/csv') {
        res.writeHead(415).end('text/csv only');
        return;
      }
      const rows = parseCsv(Buffer.concat(chunks).toString('utf8'));
      const target = req.headers['x-amzn-sagemaker-target-model'];
      requests.push({ path, rows, targetModel: typeof target === 'string' ? target : undefined });
      const answers = rows.map(([x, s]) => (x === '' ? '' : String(Number(x) * 2 + [...(s ?? '')].length)));
      const answer = () => res.writeHead(200, { 'content-type': 'text/csv' }).end(answers.join('\n') + '\n');
      if (path !== '/pair') return answer();
      waiting.push(answer);
      if (waiting.length >= 2) waiting.splice(0).forEach((a) => a());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    badRequests: () => bad,
    slow: () => ({ ...slow }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** RFC 4180, written plainly: fields split at commas, quoted fields may hold commas, "" and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

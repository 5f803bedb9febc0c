/**
 * /metrics read by a parser of Prometheus's text exposition format written here, apart from
 * prom-client's own code: TYPE lines, samples `name{label="value",...} value`, label values
 * with \\, \" and \n escapes. (parse-prometheus-text-format, tried first, drops a histogram's labels.)
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  types: Map<string, string>;
  samples: Sample[];
}

export async function scrape(baseUrl: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain') || !type.includes('version=0.0.4')) throw new Error(`/metrics is ${type}`);
  return parseExposition(await res.text());
}

export function parseExposition(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const typeLine = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (typeLine) {
      types.set(typeLine[1], typeLine[2]);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: m[1], labels: m[2] ? parseLabels(m[2]) : {}, value: parseValue(m[3]) });
  }
  return { types, samples };
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  re.lastIndex = 1;
  while (re.lastIndex < text.length - 1) {
    const m = re.exec(text);
    if (!m) throw new Error(`bad labels: ${text}`);
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** The value of sample `name` whose labels include `labels`; 0 when the series does not exist (yet). */
export function value(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = name.replace(/_(bucket|sum|count)$/, '');
  if (!s.types.has(name) && !s.types.has(family)) throw new Error(`/metrics has no ${name}`);
  const found = s.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return found?.value ?? 0;
}

/**
 * PostgreSQL's COPY text format: fields split by tabs, \N for NULL, backslash escapes
 * (PostgreSQL manual, COPY, "Text Format").
 */
export function splitCopyLine(line: string): Array<string | null> {
  const raw = line.split('\t');
  const out: Array<string | null> = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const f = raw[i];
    out[i] = f === '\\N' ? null : f.includes('\\') ? unescapeCopyField(f) : f;
  }
  return out;
}

const SIMPLE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function unescapeCopyField(field: string): string {
  let out = '';
  for (let i = 0; i < field.length; i++) {
    const c = field[i];
    if (c !== '\\' || i + 1 >= field.length) {
      out += c;
      continue;
    }
    const next = field[++i];
    if (SIMPLE[next]) {
      out += SIMPLE[next];
    } else if (next >= '0' && next <= '7') {
      let digits = next;
      while (digits.length < 3 && field[i + 1] >= '0' && field[i + 1] <= '7') digits += field[++i];
      out += String.fromCharCode(parseInt(digits, 8));
    } else if (next === 'x' && /[0-9a-fA-F]/.test(field[i + 1] ?? '')) {
      let digits = field[++i];
      if (/[0-9a-fA-F]/.test(field[i + 1] ?? '')) digits += field[++i];
      out += String.fromCharCode(parseInt(digits, 16));
    } else {
      out += next;
    }
  }
  return out;
}

/** One value in COPY text format: \N for NULL; backslash, tab and line breaks escaped. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}

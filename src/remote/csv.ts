/**
 * SageMaker's CSV contract (text/csv): one request line per row, its values comma-separated;
 * one answer line per row. Fields are quoted as RFC 4180 says — in quotes, quotes doubled — when
 * they hold a comma, a quote, CR or LF, or lead or trail with a space. NULL is an empty field.
 */
export function csvRows(args: ReadonlyArray<ReadonlyArray<string | null>>, from: number, to: number): string {
  const lines: string[] = [];
  for (let i = from; i < to; i++) {
    const fields: string[] = [];
    for (const column of args) fields.push(csvField(column[i]));
    lines.push(fields.join(','));
  }
  return lines.join('\n') + '\n';
}

function csvField(value: string | null): string {
  if (value === null || value === '') return '';
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The first field of each record of an answer (a SageMaker container answers one value a line;
 * a record may be quoted and hold newlines). A last empty line is the final newline, not a record.
 */
export function csvFirstFields(body: string): string[] {
  const values: string[] = [];
  let i = 0;
  const n = body.length;
  while (i < n) {
    let value = '';
    if (body[i] === '"') {
      i++;
      for (;;) {
        const q = body.indexOf('"', i);
        if (q < 0) throw new Error('an unterminated quoted field');
        value += body.slice(i, q);
        i = q + 1;
        if (body[i] === '"') {
          value += '"';
          i++;
        } else break;
      }
    } else {
      const end = body.slice(i).search(/[,\r\n]/);
      value = end < 0 ? body.slice(i) : body.slice(i, i + end);
      i = end < 0 ? n : i + end;
    }
    values.push(value);
    // The rest of the record (further fields are not this contract's) up to its line end.
    while (i < n && body[i] !== '\n' && body[i] !== '\r') {
      if (body[i] === '"') {
        const q = body.indexOf('"', i + 1);
        i = q < 0 ? n : q + 1;
      } else i++;
    }
    if (body[i] === '\r') i++;
    if (body[i] === '\n') i++;
  }
  return values;
}

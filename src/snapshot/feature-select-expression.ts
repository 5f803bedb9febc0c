/**
 * The SQL that reads a value for a model: the same at training (snapshot) and at inference, so
 * both see identical numbers. Dates and times become epoch seconds (UTC for timestamptz;
 * seconds since midnight for time), which no session setting can change.
 */
export function featureSelectExpression(expression: string, type: string): string {
  switch (type) {
    case 'date':
      return `extract(epoch from (${expression})::timestamp)`;
    case 'timestamp':
    case 'timestamptz':
    case 'time':
      return `extract(epoch from (${expression}))`;
    default:
      return `(${expression})`;
  }
}

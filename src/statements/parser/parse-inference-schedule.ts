import type {
  AlterInferenceSchedule,
  CreateInferenceSchedule,
  DropInferenceSchedule,
  ShowInferenceExecutions,
  ShowInferenceSchedule,
  ShowInferenceSchedules,
} from '../ast/inference-schedule.ts';
import { parseIdentifier, parseQualifiedName, parseString } from './parse-names.ts';
import { parseInteger } from './parse-numbers.ts';
import { parseTrainingSource } from './parse-training-source.ts';
import type { TokenStream } from './token-stream.ts';

/**
 * CREATE INFERENCE SCHEDULE s FOR MODEL m FROM { table | ( query ) } KEY column INTO target
 *   EVERY 'interval' [ DELAY 'interval' ] [ START AT 'timestamp' ]
 * Clauses in this order, as the contract writes them; DELAY and START AT in either order.
 */
export function parseCreateInferenceSchedule(ts: TokenStream): CreateInferenceSchedule {
  expectWords(ts, 'create', 'inference', 'schedule');
  const schedule = parseQualifiedName(ts);
  expectWords(ts, 'for', 'model');
  const model = parseQualifiedName(ts);
  ts.expectKeyword('from');
  const source = parseTrainingSource(ts);
  ts.expectKeyword('key');
  const key = parseIdentifier(ts);
  ts.expectKeyword('into');
  const target = parseQualifiedName(ts);
  ts.expectKeyword('every');
  const every = parseString(ts);
  let delay: string | undefined;
  let startAt: string | undefined;
  for (;;) {
    if (delay === undefined && ts.acceptKeyword('delay')) delay = parseString(ts);
    else if (startAt === undefined && ts.isKeyword('start')) {
      ts.next();
      ts.expectKeyword('at');
      startAt = parseString(ts);
    } else break;
  }
  ts.expectEnd();
  return {
    kind: 'CreateInferenceSchedule',
    schedule,
    model,
    source,
    key,
    target,
    every,
    ...(delay !== undefined ? { delay } : {}),
    ...(startAt !== undefined ? { startAt } : {}),
  };
}

/** ALTER INFERENCE SCHEDULE s { STOP | START | RUN NOW } */
export function parseAlterInferenceSchedule(ts: TokenStream): AlterInferenceSchedule {
  expectWords(ts, 'alter', 'inference', 'schedule');
  const schedule = parseQualifiedName(ts);
  let action: AlterInferenceSchedule['action'];
  if (ts.acceptKeyword('stop')) action = 'STOP';
  else if (ts.acceptKeyword('start')) action = 'START';
  else if (ts.acceptKeyword('run')) {
    ts.expectKeyword('now');
    action = 'RUN NOW';
  } else throw ts.fail(ts.peek(), 'ALTER INFERENCE SCHEDULE takes STOP, START or RUN NOW.');
  ts.expectEnd();
  return { kind: 'AlterInferenceSchedule', schedule, action };
}

/** DROP INFERENCE SCHEDULE [ IF EXISTS ] s */
export function parseDropInferenceSchedule(ts: TokenStream): DropInferenceSchedule {
  expectWords(ts, 'drop', 'inference', 'schedule');
  const ifExists = ts.acceptKeyword('if');
  if (ifExists) ts.expectKeyword('exists');
  const schedule = parseQualifiedName(ts);
  ts.expectEnd();
  return { kind: 'DropInferenceSchedule', schedule, ifExists };
}

/** SHOW INFERENCE { SCHEDULE s | SCHEDULES | EXECUTIONS FOR s [ LIMIT n ] } */
export function parseShowInference(ts: TokenStream): ShowInferenceSchedule | ShowInferenceSchedules | ShowInferenceExecutions {
  expectWords(ts, 'show', 'inference');
  if (ts.acceptKeyword('schedules')) return ts.expectEnd(), { kind: 'ShowInferenceSchedules' };
  if (ts.acceptKeyword('schedule')) {
    const schedule = parseQualifiedName(ts);
    ts.expectEnd();
    return { kind: 'ShowInferenceSchedule', schedule };
  }
  ts.expectKeyword('executions');
  ts.expectKeyword('for');
  const schedule = parseQualifiedName(ts);
  const limit = ts.acceptKeyword('limit') ? parseInteger(ts, 'LIMIT', 0) : undefined;
  ts.expectEnd();
  return { kind: 'ShowInferenceExecutions', schedule, ...(limit !== undefined ? { limit } : {}) };
}

function expectWords(ts: TokenStream, ...words: string[]): void {
  for (const word of words) ts.expectKeyword(word);
}

import { notSupported } from '../../errors/client-error.ts';
import type { MlStatement } from '../ast/ml-statement.ts';
import { parseAlterModel } from './parse-alter-model.ts';
import { parseCreateModel } from './parse-create-model.ts';
import { parseDropModel } from './parse-drop-model.ts';
import { parseEvaluateModel } from './parse-evaluate-model.ts';
import { parseGrantOnModel, parseRevokeOnModel } from './parse-grant-on-model.ts';
import {
  parseAlterInferenceSchedule,
  parseCreateInferenceSchedule,
  parseDropInferenceSchedule,
  parseShowInference,
} from './parse-inference-schedule.ts';
import { parseShowModel } from './parse-show-model.ts';
import { parseShowModelgres } from './parse-show-modelgres.ts';
import { parseWaitForModel } from './parse-wait-for-model.ts';
import type { TokenStream } from './token-stream.ts';

/** A statement form recognised by its first words, and the parser that reads it. */
export interface MlStatementForm {
  readonly words: readonly string[];
  readonly parse: (ts: TokenStream) => MlStatement;
}

/**
 * The first words of every ML statement. None of them begins a valid PostgreSQL statement, so
 * recognising them can never steal a statement PostgreSQL would have run.
 */
export const ML_STATEMENT_FORMS: readonly MlStatementForm[] = [
  { words: ['create', 'model'], parse: parseCreateModel },
  { words: ['create', 'or', 'replace', 'model'], parse: parseCreateModel },
  {
    words: ['create', 'external', 'model'],
    parse: () => {
      throw notSupported('CREATE EXTERNAL MODEL is not supported yet', 'Create the model FROM an ONNX file to run it locally.');
    },
  },
  { words: ['show', 'model'], parse: parseShowModel },
  { words: ['show', 'modelgres'], parse: parseShowModelgres },
  { words: ['drop', 'model'], parse: parseDropModel },
  { words: ['alter', 'model'], parse: parseAlterModel },
  { words: ['wait', 'for', 'model'], parse: parseWaitForModel },
  { words: ['evaluate', 'model'], parse: parseEvaluateModel },
  { words: ['grant', 'execute', 'on', 'model'], parse: parseGrantOnModel },
  { words: ['grant', 'create', 'model'], parse: parseGrantOnModel },
  { words: ['revoke', 'execute', 'on', 'model'], parse: parseRevokeOnModel },
  { words: ['revoke', 'create', 'model'], parse: parseRevokeOnModel },
  { words: ['revoke', 'grant', 'option', 'for', 'execute', 'on', 'model'], parse: parseRevokeOnModel },
  { words: ['revoke', 'grant', 'option', 'for', 'create', 'model'], parse: parseRevokeOnModel },
  { words: ['create', 'inference', 'schedule'], parse: parseCreateInferenceSchedule },
  { words: ['alter', 'inference', 'schedule'], parse: parseAlterInferenceSchedule },
  { words: ['drop', 'inference', 'schedule'], parse: parseDropInferenceSchedule },
  { words: ['show', 'inference', 'schedule'], parse: parseShowInference },
  { words: ['show', 'inference', 'schedules'], parse: parseShowInference },
  { words: ['show', 'inference', 'executions'], parse: parseShowInference },
];

export const MAX_FORM_WORDS = Math.max(...ML_STATEMENT_FORMS.map((f) => f.words.length));

/** The form whose words begin `words`, if any. */
export function matchForm(words: readonly string[]): MlStatementForm | undefined {
  return ML_STATEMENT_FORMS.find((form) => form.words.every((w, i) => words[i] === w));
}

import { SqlState } from '../../errors/sqlstate.ts';
import type {
  AlterModelCancel,
  AlterModelRetrain,
  AlterModelRollback,
  AlterModelSetActivation,
  AlterModelSetActiveVersion,
  AlterModelSetInference,
  AlterModelSetMonitoring,
  AlterModelStart,
  AlterModelStop,
} from '../ast/alter-model.ts';
import type { Activation } from '../ast/model-options.ts';
import type { QualifiedName } from '../ast/qualified-name.ts';
import { parseMonitoringOptions } from './parse-monitoring-options.ts';
import { parseOnOff, parseQualifiedName } from './parse-names.ts';
import { parseInteger, parseVersionNumber } from './parse-numbers.ts';
import { parseSettings } from './parse-settings.ts';
import { parseTrainingSource } from './parse-training-source.ts';
import { valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';

type AlterStatement =
  | AlterModelRetrain
  | AlterModelSetActiveVersion
  | AlterModelSetActivation
  | AlterModelRollback
  | AlterModelCancel
  | AlterModelSetMonitoring
  | AlterModelSetInference
  | AlterModelStart
  | AlterModelStop;

/** The action word after ALTER MODEL m, and how the rest reads. */
const ACTIONS: Record<string, (ts: TokenStream, model: QualifiedName) => AlterStatement> = {
  retrain: (ts, model) => {
    const source = ts.acceptKeyword('from') ? parseTrainingSource(ts) : undefined;
    const settings = ts.acceptKeyword('settings') ? parseSettings(ts) : {};
    return { kind: 'AlterModelRetrain', model, ...(source ? { source } : {}), settings };
  },
  set: parseSetAction,
  rollback: (_ts, model) => ({ kind: 'AlterModelRollback', model }),
  cancel: (_ts, model) => ({ kind: 'AlterModelCancel', model }),
  start: parseStart,
  stop: (_ts, model) => ({ kind: 'AlterModelStop', model }),
};

const ACTIVATIONS: readonly Activation[] = ['LATEST', 'BEST', 'MANUAL'];

/** ALTER MODEL m { RETRAIN ... | SET ... | ROLLBACK | CANCEL | START ... | STOP } */
export function parseAlterModel(ts: TokenStream): AlterStatement {
  ts.expectKeyword('alter');
  ts.expectKeyword('model');
  const model = parseQualifiedName(ts);
  const word = ts.peek();
  const action = word.kind === 'identifier' ? ACTIONS[word.value] : undefined;
  if (!action) throw ts.fail(word, 'ALTER MODEL takes RETRAIN, SET ACTIVE VERSION, SET ACTIVATION, SET MONITORING, ROLLBACK, CANCEL, START or STOP.');
  ts.next();
  const statement = action(ts, model);
  ts.expectEnd();
  return statement;
}

function parseSetAction(ts: TokenStream, model: QualifiedName): AlterStatement {
  if (ts.acceptKeyword('active')) {
    ts.expectKeyword('version');
    return { kind: 'AlterModelSetActiveVersion', model, version: parseVersionNumber(ts) };
  }
  if (ts.acceptKeyword('activation')) {
    const token = ts.peek();
    const activation = token.kind === 'identifier' ? ACTIVATIONS.find((a) => a.toLowerCase() === token.value) : undefined;
    if (!activation) throw ts.fail(token, 'SET ACTIVATION takes LATEST, BEST or MANUAL.');
    ts.next();
    return { kind: 'AlterModelSetActivation', model, activation };
  }
  if (ts.acceptKeyword('monitoring')) {
    return { kind: 'AlterModelSetMonitoring', model, monitoring: parseMonitoringOptions(ts) };
  }
  if (ts.acceptKeyword('inference')) {
    // SET INFERENCE ( REQUIRE_START { ON | OFF } ): the one inference option so far.
    ts.expectPunctuation('(');
    const key = ts.peek();
    if (!(key.kind === 'identifier' && key.value === 'require_start')) throw ts.fail(key, 'SET INFERENCE takes ( REQUIRE_START { ON | OFF } ).');
    ts.next();
    const requireStart = parseOnOff(ts);
    ts.expectPunctuation(')');
    return { kind: 'AlterModelSetInference', model, requireStart };
  }
  throw ts.fail(undefined, 'ALTER MODEL m SET takes ACTIVE VERSION n, ACTIVATION { LATEST | BEST | MANUAL }, MONITORING ( ... ) or INFERENCE ( ... ).');
}

/** START [ ( MIN_INFERENCE_UNITS a, MAX_INFERENCE_UNITS b ) ], either option, either order. */
function parseStart(ts: TokenStream, model: QualifiedName): AlterModelStart {
  if (!ts.acceptPunctuation('(')) return { kind: 'AlterModelStart', model };
  let min: number | undefined;
  let max: number | undefined;
  const first = ts.peek();
  do {
    const key = ts.peek();
    if (key.kind === 'identifier' && key.value === 'min_inference_units' && min === undefined) {
      ts.next();
      min = parseInteger(ts, 'MIN_INFERENCE_UNITS', 0);
    } else if (key.kind === 'identifier' && key.value === 'max_inference_units' && max === undefined) {
      ts.next();
      max = parseInteger(ts, 'MAX_INFERENCE_UNITS', 1);
    } else {
      throw ts.fail(key, 'START takes ( MIN_INFERENCE_UNITS a, MAX_INFERENCE_UNITS b ).');
    }
  } while (ts.acceptPunctuation(','));
  ts.expectPunctuation(')');
  if (min !== undefined && max !== undefined && min > max) {
    throw valueError(ts.sql, first, SqlState.invalidParameterValue, 'MIN_INFERENCE_UNITS must not exceed MAX_INFERENCE_UNITS');
  }
  return {
    kind: 'AlterModelStart',
    model,
    ...(min !== undefined ? { minInferenceUnits: min } : {}),
    ...(max !== undefined ? { maxInferenceUnits: max } : {}),
  };
}

import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { isGzip, modelFileInArchive } from './xgboost-archive.ts';
import { type XgboostObjective, parseXgboostJson, readXgboostDocument } from './xgboost-model.ts';
import { decodeUbjson } from './xgboost-ubjson.ts';
import { xgboostToOnnx } from './xgboost-onnx.ts';

export interface ConvertedXgboost {
  onnx: Uint8Array;
  objective: XgboostObjective;
  problemType: 'REGRESSION' | 'BINARY_CLASSIFICATION' | 'MULTICLASS_CLASSIFICATION';
}

/**
 * A model file that is an XGBoost model — a .tar.gz holding one (SageMaker's model.tar.gz) or a
 * bare JSON or UBJSON model — converted to ONNX; null for anything else, which is read as ONNX. Told apart
 * by content, not by name: gzip's magic bytes, or the opening brace of JSON and UBJSON (an ONNX
 * file starts with a protobuf field tag, never '{').
 */
export function convertXgboostFile(bytes: Uint8Array, userPath: string, maxBytes: number): ConvertedXgboost | null {
  let model = bytes;
  let where = userPath;
  if (isGzip(bytes)) {
    const member = modelFileInArchive(bytes, userPath, maxBytes);
    model = member.bytes;
    where = `${userPath}:${member.name}`;
  } else if (!startsWithBrace(bytes)) {
    return null;
  }
  if (!startsWithBrace(model)) {
    throw new ClientError(SqlState.featureNotSupported, `the model in '${where}' is not an XGBoost JSON or UBJSON model (XGBoost's older binary format is not supported)`, {
      hint: 'Load it in XGBoost and save it again with Booster.save_model(\'xgboost-model.json\').',
    });
  }
  const parsed = isUbjson(model)
    ? readXgboostDocument(decodeUbjson(model, where), where)
    : parseXgboostJson(new TextDecoder().decode(model), where);
  return {
    onnx: xgboostToOnnx(parsed),
    objective: parsed.objective,
    problemType: parsed.objective === 'reg:squarederror' ? 'REGRESSION' : parsed.objective === 'binary:logistic' ? 'BINARY_CLASSIFICATION' : 'MULTICLASS_CLASSIFICATION',
  };
}

function startsWithBrace(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b; // '{'
  }
  return false;
}

/** UBJSON's object opens '{' then a key length's type marker (i, U, I, l, L) or a '#'/'$' count; JSON's opens '{' then whitespace, '"' or '}'. */
function isUbjson(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7b && bytes.length > 1 && 'iUIlL#$'.includes(String.fromCharCode(bytes[1]));
}

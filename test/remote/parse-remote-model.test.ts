import { describe, expect, test } from 'vitest';
import { parseMlStatement } from '../../src/statements/parser/parse-ml-statement.ts';
import { expectError } from '../statements/support.ts';

describe("CREATE MODEL ... SAGEMAKER 'endpoint' (remote inference)", () => {
  test("the issue's statement", () => {
    const s = parseMlStatement("CREATE MODEL m FUNCTION f (float8, text) RETURNS float8 SAGEMAKER 'endpoint_name' IAM_ROLE default SETTINGS (MAX_BATCH_ROWS 500);");
    expect(s).toEqual({
      kind: 'CreateRemoteModel',
      orReplace: false,
      model: { name: 'm' },
      endpoint: 'endpoint_name',
      function: {
        name: { name: 'f' },
        parameterTypes: [
          { name: 'float8', modifiers: [], text: 'float8' },
          { name: 'text', modifiers: [], text: 'text' },
        ],
      },
      returns: { name: 'float8', modifiers: [], text: 'float8' },
      iamRole: { kind: 'Default' },
      maxBatchRows: 500,
    });
  });

  test('OR REPLACE, no IAM_ROLE, no SETTINGS', () => {
    const s = parseMlStatement("create or replace model s.m function s.f (int4) returns text sagemaker 'e'");
    expect(s).toMatchObject({ kind: 'CreateRemoteModel', orReplace: true, model: { schema: 's', name: 'm' }, endpoint: 'e' });
    expect(s).not.toHaveProperty('maxBatchRows');
  });

  test("SAGEMAKER 'endpoint':'model', a multi-model endpoint's model", () => {
    const s = parseMlStatement("CREATE MODEL m FUNCTION f (float8) RETURNS float8 SAGEMAKER 'mme' : 'churn.tar.gz' IAM_ROLE default");
    expect(s).toMatchObject({ kind: 'CreateRemoteModel', endpoint: 'mme', targetModel: 'churn.tar.gz', iamRole: { kind: 'Default' } });
    expectError("CREATE MODEL m FUNCTION f (int) RETURNS int SAGEMAKER 'e':", '42601', 'syntax error at end of input', '<end>');
    expectError("CREATE MODEL m FUNCTION f (int) RETURNS int SAGEMAKER 'e':m", '42601', 'syntax error at or near "m"', 'm', 50);
  });

  test('bad forms: other settings, a bad MAX_BATCH_ROWS, no SAGEMAKER, MAX_BATCH_ROWS on a trained model', () => {
    expectError("CREATE MODEL m FUNCTION f (int) RETURNS int SAGEMAKER 'e' SETTINGS (S3_BUCKET 'b')", '42601', 'option "s3_bucket" not recognized', 'S3_BUCKET');
    expectError("CREATE MODEL m FUNCTION f (int) RETURNS int SAGEMAKER 'e' SETTINGS (MAX_BATCH_ROWS 0)", '22023', 'MAX_BATCH_ROWS must be a positive integer', '0');
    expectError('CREATE MODEL m FUNCTION f (int) RETURNS int', '42601', 'syntax error at end of input', '<end>');
    expectError('CREATE MODEL m FROM t TARGET y FUNCTION f SETTINGS (MAX_BATCH_ROWS 5)', '42601', 'option "max_batch_rows" not recognized', 'MAX_BATCH_ROWS');
  });
});

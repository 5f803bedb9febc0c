import { describe, expect, test } from 'vitest';
import { parseMlStatement } from '../../src/statements/parser/parse-ml-statement.ts';
import { expectError } from './support.ts';

describe('CREATE MODEL (training), as Redshift users write it', () => {
  test('AUTO ON churn example from the Redshift docs', () => {
    const sql = `CREATE MODEL customer_churn_auto_model
FROM (SELECT state,
             account_length,
             area_code,
             total_charge/account_length AS average_daily_spend,
             cust_serv_calls/account_length AS average_daily_cases,
             churn
      FROM customer_activity
      WHERE record_date < '2020-01-01'
     )
TARGET churn
FUNCTION ml_fn_customer_churn_auto
IAM_ROLE default
SETTINGS (
  S3_BUCKET 'your-bucket'
);`;
    const s = parseMlStatement(sql);
    expect(s).toEqual({
      kind: 'CreateModel',
      orReplace: false,
      model: { name: 'customer_churn_auto_model' },
      source: { kind: 'Query', text: expect.stringMatching(/^SELECT state,[\s\S]*'2020-01-01'$/), start: sql.indexOf('SELECT') },
      target: 'churn',
      function: { name: { name: 'ml_fn_customer_churn_auto' } },
      iamRole: { kind: 'Default' },
      auto: true,
      settings: { s3Bucket: 'your-bucket' },
    });
    if (s.kind !== 'CreateModel' || s.source.kind !== 'Query') throw new Error('unexpected');
    expect(sql.slice(s.source.start, s.source.start + s.source.text.length)).toBe(s.source.text);
  });

  test('XGBOOST with AUTO OFF, PREPROCESSORS none and HYPERPARAMETERS DEFAULT EXCEPT', () => {
    const s = parseMlStatement(`CREATE MODEL customer_churn_xgboost_model
FROM customer_activity
TARGET churn
FUNCTION ml_fn_customer_churn_xgboost
IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftML'
AUTO OFF
MODEL_TYPE xgboost
OBJECTIVE 'binary:logistic'
PREPROCESSORS 'none'
HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '100')
SETTINGS (S3_BUCKET 'your-bucket', MAX_RUNTIME 1800, MAX_CELLS 500000, S3_GARBAGE_COLLECT OFF, KMS_KEY_ID 'k', TAGS 'team=ml')`);
    expect(s).toEqual({
      kind: 'CreateModel',
      orReplace: false,
      model: { name: 'customer_churn_xgboost_model' },
      source: { kind: 'Table', table: { name: 'customer_activity' } },
      target: 'churn',
      function: { name: { name: 'ml_fn_customer_churn_xgboost' } },
      iamRole: { kind: 'Arn', arn: 'arn:aws:iam::123456789012:role/RedshiftML' },
      auto: false,
      modelType: 'XGBOOST',
      objective: 'binary:logistic',
      preprocessors: { kind: 'None' },
      hyperparameters: { overrides: { num_round: '100' } },
      settings: { s3Bucket: 'your-bucket', maxRuntime: 1800, maxCells: 500000, s3GarbageCollect: false, kmsKeyId: 'k', tags: 'team=ml' },
    });
  });

  test('HYPERPARAMETERS before PREPROCESSORS, multiclass with num_class, a PROBLEM_TYPE that agrees', () => {
    const s = parseMlStatement(`create model m from t target y function f auto off model_type XGBOOST
      problem_type multiclass_classification objective 'multi:softmax'
      hyperparameters default except (num_class '3', max_depth '4', eta '0.2')
      preprocessors '[{"ColumnSet": ["a", "b"], "Transformers": ["onehotencoder"]}, {"ColumnSet": ["c"], "Transformers": ["Imputer", "StandardScaler"]}]'`);
    expect(s).toMatchObject({
      kind: 'CreateModel',
      problemType: 'MULTICLASS_CLASSIFICATION',
      objective: 'multi:softmax',
      hyperparameters: { overrides: { num_class: '3', max_depth: '4', eta: '0.2' } },
      preprocessors: {
        kind: 'Steps',
        steps: [
          { columnSet: ['a', 'b'], transformers: ['OneHotEncoder'] },
          { columnSet: ['c'], transformers: ['Imputer', 'StandardScaler'] },
        ],
      },
    });
  });

  test('KMEANS: no TARGET, AUTO OFF, K', () => {
    const s = parseMlStatement(`CREATE MODEL customers_clusters
FROM customers
FUNCTION customers_cluster
IAM_ROLE default
AUTO OFF
MODEL_TYPE KMEANS
PREPROCESSORS '[
{
  "ColumnSet": [ "*" ],
  "Transformers": [ "NumericPassthrough" ]
}
]'
HYPERPARAMETERS DEFAULT EXCEPT ( K '5' )
SETTINGS (S3_BUCKET 'amzn-s3-demo-bucket');`);
    expect(s).toMatchObject({
      kind: 'CreateModel',
      source: { kind: 'Table', table: { name: 'customers' } },
      auto: false,
      modelType: 'KMEANS',
      hyperparameters: { overrides: { k: '5' } },
      preprocessors: { kind: 'Steps', steps: [{ columnSet: ['*'], transformers: ['NumericPassthrough'] }] },
    });
    expect(s).not.toHaveProperty('target');
  });

  test('OR REPLACE, qualified and quoted names, typed FUNCTION, MODEL_TYPE/PROBLEM_TYPE/OBJECTIVE with AUTO ON', () => {
    const s = parseMlStatement(`Create Or Replace Model "Sales".Forecast_Model FROM sales.history TARGET "Units"
      FUNCTION sales."Predict" (int, double precision, varchar(20), timestamp without time zone)
      AUTO ON MODEL_TYPE mlp PROBLEM_TYPE regression OBJECTIVE 'mse'`);
    expect(s).toEqual({
      kind: 'CreateModel',
      orReplace: true,
      model: { schema: 'Sales', name: 'forecast_model' },
      source: { kind: 'Table', table: { schema: 'sales', name: 'history' } },
      target: 'Units',
      function: {
        name: { schema: 'sales', name: 'Predict' },
        parameterTypes: [
          { name: 'int4', modifiers: [], text: 'int' },
          { name: 'float8', modifiers: [], text: 'double precision' },
          { name: 'varchar', modifiers: [20], text: 'varchar(20)' },
          { name: 'timestamp', modifiers: [], text: 'timestamp without time zone' },
        ],
      },
      auto: true,
      modelType: 'MLP',
      problemType: 'REGRESSION',
      objective: 'MSE',
      settings: {},
    });
  });

  test("Redshift's F1_Macro spelling normalises to F1Macro", () => {
    expect(parseMlStatement("create model m from t target y function f objective 'F1_Macro'")).toMatchObject({ objective: 'F1Macro' });
  });

  test('FROM query with nested parentheses, CTE, dollar quotes and a semicolon in a string', () => {
    const sql = "create model m from (with x as (select (a + 1) * 2 as a, $$;)$$ as s, y from t) select * from x where s <> ';') target y function f";
    const s = parseMlStatement(sql);
    expect(s).toMatchObject({ source: { kind: 'Query', text: "with x as (select (a + 1) * 2 as a, $$;)$$ as s, y from t) select * from x where s <> ';'" } });
  });
});

describe('CREATE MODEL from an artifact (bring your own model)', () => {
  test("the contract's dated copy, with a real type list", () => {
    const s = parseMlStatement(`CREATE MODEL predict_rental_count_20230706 FROM 'redshiftml-20230706171639810624'
FUNCTION predict_rental_count_20230706 (int4, int4, int4, int4, int4, int4, float8, float8, numeric)
RETURNS float8 IAM_ROLE default SETTINGS (S3_BUCKET 'bucket');`);
    expect(s).toEqual({
      kind: 'CreateModelFromArtifact',
      orReplace: false,
      model: { name: 'predict_rental_count_20230706' },
      artifact: { kind: 'JobName', jobName: 'redshiftml-20230706171639810624' },
      function: {
        name: { name: 'predict_rental_count_20230706' },
        parameterTypes: [
          ...Array.from({ length: 6 }, () => ({ name: 'int4', modifiers: [], text: 'int4' })),
          { name: 'float8', modifiers: [], text: 'float8' },
          { name: 'float8', modifiers: [], text: 'float8' },
          { name: 'numeric', modifiers: [], text: 'numeric' },
        ],
      },
      returns: { name: 'float8', modifiers: [], text: 'float8' },
      iamRole: { kind: 'Default' },
      settings: { s3Bucket: 'bucket' },
    });
  });

  test('an ONNX file path, every type spelling normalised to the internal name', () => {
    const s = parseMlStatement(`create or replace model churn from 'models/churn.onnx'
      function churn_score (integer, bigint, smallint, real, float, float(10), float(30), decimal(10,2), numeric(5),
        character varying(3), char(2), character, text, boolean, bool, date, time, time with time zone,
        timestamp(3), timestamptz, timestamp with time zone, pg_catalog.int8)
      returns boolean`);
    if (s.kind !== 'CreateModelFromArtifact') throw new Error(s.kind);
    expect(s.orReplace).toBe(true);
    expect(s.artifact).toEqual({ kind: 'File', path: 'models/churn.onnx' });
    expect(s.function.parameterTypes.map((t) => t.name)).toEqual([
      'int4', 'int8', 'int2', 'float4', 'float8', 'float4', 'float8', 'numeric', 'numeric',
      'varchar', 'bpchar', 'bpchar', 'text', 'bool', 'bool', 'date', 'time', 'timetz',
      'timestamp', 'timestamptz', 'timestamptz', 'int8',
    ]);
    expect(s.function.parameterTypes[7].modifiers).toEqual([10, 2]);
    expect(s.function.parameterTypes[18].modifiers).toEqual([3]);
    expect(s.returns.name).toBe('bool');
    expect(s.settings).toEqual({});
  });

  test('a file name without a directory counts as a file by its .onnx suffix', () => {
    expect(parseMlStatement("create model m from 'm.ONNX' function f (int) returns int")).toMatchObject({
      artifact: { kind: 'File', path: 'm.ONNX' },
    });
  });
});

describe('CREATE MODEL errors', () => {
  test.each([
    ['create model m from t target y function f auto off model_type randomforest', 'randomforest', /MODEL_TYPE is one of/],
    ['create model m from t target y function f problem_type ranking', 'ranking', /PROBLEM_TYPE is one of/],
    ['create model m t target y function f', 't target', undefined],
    ['create model m from t target y function f settings (s3_bucket)', ')', undefined],
    ['create model m from t target y function f (int', '<end>', undefined],
    ['create model m from t target y function f (int,) ', ')', undefined],
    ['create model m from t target y', '<end>', undefined],
  ])('syntax error: %s', (sql, near, hint) => {
    const token = near === '<end>' ? null : near.split(' ')[0];
    const e = expectError(sql, '42601', token === null ? 'syntax error at end of input' : `syntax error at or near "${token}"`, near);
    if (hint) expect(e.hint).toMatch(hint);
  });

  test('clauses out of order are a syntax error at the misplaced clause, with the order as hint', () => {
    const sql = "create model m from t target y function f settings (s3_bucket 'b') iam_role default";
    const e = expectError(sql, '42601', 'syntax error at or near "iam_role"', 'iam_role');
    expect(e.hint).toMatch(/clauses go in this order/);
  });

  test('a syntax error inside the FROM query is placed in the whole statement', () => {
    const sql = "CREATE MODEL m FROM (SELECT a, 'é😀' AS b FORM t) TARGET a FUNCTION f";
    expectError(sql, '42601', 'syntax error at or near "FORM"', 'FORM');
    const where = 'create model m from (select a from t where) target a function f';
    expectError(where, '42601', 'syntax error at or near ")"', ')');
    const junk = "create model m from (select a from t where a = 1 1) target a function f";
    expectError(junk, '42601', 'syntax error at or near "1"', '1)');
  });

  test('a query cut short inside FROM ( ) reports the closing parenthesis', () => {
    const sql = 'CREATE MODEL m FROM (SELECT a FROM) TARGET a FUNCTION f';
    expectError(sql, '42601', 'syntax error at or near ")"', ')');
  });

  test('FROM ( ) must hold a SELECT', () => {
    expectError('create model m from (insert into t values (1)) target a function f', '42601', 'syntax error at or near "insert"', 'insert');
    expectError('create model m from () target a function f', '42601', 'syntax error at or near ")"', ')');
    expectError('create model m from (select 1; select 2) target a function f', '42601', 'syntax error at or near ";"', ';');
    expectError('create model m from (select 1', '42601', 'syntax error at end of input', '<end>');
  });

  test('lexical errors come with their PostgreSQL wording', () => {
    expectError("create model m from t target y function f settings (s3_bucket 'b)", '42601', /^unterminated quoted string at or near "'b\)"$/, "'b)");
  });

  test.each([
    ["create model m from t target y function f preprocessors '{not json'", "'{not", /^invalid PREPROCESSORS: /],
    ["create model m from t target y function f preprocessors '{}'", "'{}'", 'invalid PREPROCESSORS: expected a JSON list'],
    [`create model m from t target y function f preprocessors '[{"ColumnSet": ["a"], "Transformers": ["Magic"]}]'`, "'[", /unknown transformer "Magic"/],
    [`create model m from t target y function f preprocessors '[{"ColumnSet": [], "Transformers": ["MinMax"]}]'`, "'[", /ColumnSet/],
    ["create model m from t target y function f auto off model_type xgboost objective 'reg:squarederror' hyperparameters default except (max_depth '11')", "'11'", 'hyperparameter max_depth must be between 0 and 10'],
    ["create model m from t target y function f auto off model_type xgboost objective 'reg:squarederror' hyperparameters default except (eta 'fast')", "'fast'", 'invalid value for hyperparameter eta: "fast"'],
    ["create model m from t target y function f auto off model_type xgboost objective 'reg:squarederror' hyperparameters default except (num_round '2.5')", "'2.5'", 'invalid value for hyperparameter num_round: "2.5"'],
    ["create model m from t target y function f auto off model_type xgboost objective 'reg:squarederror' hyperparameters default except (depth '3')", 'depth', 'unrecognized XGBOOST hyperparameter "depth"'],
    ["create model m from t target y function f auto off model_type xgboost objective 'multi:softmax'", "'multi", "OBJECTIVE 'multi:softmax' requires the hyperparameter NUM_CLASS"],
    ["create model m from t target y function f auto off model_type xgboost objective 'multi:softmax' hyperparameters default", 'hyperparameters', "OBJECTIVE 'multi:softmax' requires the hyperparameter NUM_CLASS"],
    ["create model m from t target y function f auto off model_type xgboost objective 'reg:linear'", "'reg", 'invalid XGBoost OBJECTIVE "reg:linear"'],
    ["create model m from t target y function f auto off model_type xgboost", 'xgboost', 'AUTO OFF with MODEL_TYPE XGBOOST requires OBJECTIVE'],
    ["create model m from t target y function f auto off model_type xgboost problem_type regression objective 'binary:logistic'", 'regression', "PROBLEM_TYPE REGRESSION contradicts OBJECTIVE 'binary:logistic'"],
    ['create model m from t target y function f auto off', 'auto', 'AUTO OFF requires MODEL_TYPE'],
    ["create model m from t target y function f objective 'rmse'", "'rmse'", 'invalid OBJECTIVE "rmse" for AUTO ON'],
    ["create model m from t target y function f hyperparameters default except (num_round '5')", 'hyperparameters', 'HYPERPARAMETERS apply only with AUTO OFF'],
    ['create model m from t function f', 'function', 'CREATE MODEL requires TARGET unless MODEL_TYPE is KMEANS'],
    ["create model m from t target y function f auto off model_type kmeans hyperparameters default except (k '3')", 'y', 'a KMEANS model takes no TARGET'],
    ["create model m from t function f model_type kmeans hyperparameters default except (k '3')", 'kmeans', 'MODEL_TYPE KMEANS requires AUTO OFF'],
    ['create model m from t function f auto off model_type kmeans', 'kmeans', 'MODEL_TYPE KMEANS requires the hyperparameter K'],
    ["create model m from t function f auto off model_type kmeans hyperparameters default except (k '0')", "'0'", 'hyperparameter k must be between 1 and 2147483647'],
    ['create model m from t target y function f settings (max_runtime 0)', '0)', 'MAX_RUNTIME must be a positive integer'],
  ])('22023: %s', (sql, near, message) => {
    expectError(sql, '22023', message, near);
  });

  test('SETTINGS keys: unknown, repeated, and restricted for artifacts', () => {
    expectError("create model m from t target y function f settings (s3_bucket 'b', colour 'red')", '42601', 'option "colour" not recognized', 'colour');
    expectError("create model m from t target y function f settings (s3_bucket 'b', S3_BUCKET 'c')", '42601', 'conflicting or redundant options', 'S3_BUCKET');
    const e = expectError("create model m from 'x.onnx' function f (int) returns int settings (max_runtime 5)", '42601', 'option "max_runtime" not recognized', 'max_runtime');
    expect(e.hint).toMatch(/only S3_BUCKET and KMS_KEY_ID/);
  });

  test('an artifact model needs its parameter types and RETURNS', () => {
    expectError("create model m from 'redshiftml-1' function f returns int", '42601', 'syntax error at or near "returns"', 'returns');
    expectError("create model m from 'redshiftml-1' function f (int)", '42601', 'syntax error at end of input', '<end>');
  });

  test('MODEL_TYPE FORECAST: its own grammar (no FUNCTION), its settings checked where written', () => {
    const s = parseMlStatement(
      "CREATE MODEL f FROM t TARGET y IAM_ROLE default AUTO ON MODEL_TYPE FORECAST OBJECTIVE 'wape' SETTINGS (S3_BUCKET 'b', HORIZON 7, FREQUENCY 'd', PERCENTILES '0.25,0.50,mean')",
    );
    expect(s).toMatchObject({ kind: 'CreateForecastModel', target: 'y', auto: true, objective: 'WAPE', horizon: 7, frequency: 'D', percentiles: '0.25,0.5,mean' });
    expect(parseMlStatement("CREATE MODEL f FROM t TARGET y MODEL_TYPE FORECAST SETTINGS (HORIZON 3, FREQUENCY '15MIN')")).toMatchObject({
      objective: 'AverageWeightedQuantileLoss',
      frequency: '15min',
      percentiles: '0.1,0.5,0.9',
    });
    const forecast = (settings: string) => `CREATE MODEL f FROM t TARGET y MODEL_TYPE FORECAST SETTINGS (${settings})`;
    expectError("CREATE MODEL f FROM t TARGET y FUNCTION g MODEL_TYPE FORECAST SETTINGS (HORIZON 7, FREQUENCY 'D')", '42601', 'a FORECAST model takes no FUNCTION clause', 'FUNCTION');
    expectError(forecast("HORIZON 7, FREQUENCY '2min'"), '22023', 'invalid FREQUENCY "2min"', "'2min'");
    expectError(forecast("HORIZON 501, FREQUENCY 'D'"), '22023', 'HORIZON must be at most 500', '501');
    expectError(forecast("HORIZON 7, FREQUENCY 'D', PERCENTILES '0.5,0.50'"), '22023', 'invalid PERCENTILES: "0.50" is listed twice', "'0.5,");
    expectError(forecast("FREQUENCY 'D'"), '22023', 'a FORECAST model requires the setting HORIZON', 'SETTINGS');
    expectError("CREATE EXTERNAL MODEL m FROM 'x' FUNCTION f", '0A000', 'CREATE EXTERNAL MODEL is not supported yet');
    // The forecast settings are a FORECAST model's only.
    expectError('create model m from t target y function f settings (horizon 7)', '42601', 'option "horizon" not recognized', 'horizon');
  });
});

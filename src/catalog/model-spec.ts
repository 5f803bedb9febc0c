/**
 * What the catalog keeps of a CREATE MODEL statement (model_version.spec, jsonb): CREATE MODEL
 * writes it, the training worker trains by it, SHOW MODEL shows it and RETRAIN repeats it.
 * Every field is optional: versions imported from an artifact keep only a few of them.
 */
export interface ModelSpec {
  auto?: boolean;
  /** AUTO, or the MODEL_TYPE written with AUTO OFF. */
  modelType?: string;
  /** REGRESSION, BINARY_CLASSIFICATION, MULTICLASS_CLASSIFICATION or CLUSTERING. */
  problemType?: string;
  objective?: string;
  hyperparameters?: Record<string, string>;
  /** HYPERPARAMETERS DEFAULT [EXCEPT ...] was written. */
  hyperparametersDefault?: boolean;
  /** Seconds. */
  maxRuntime?: number;
  maxCells?: number;
  iamRole?: string;
  s3Bucket?: string;
  kmsKeyId?: string;
  s3GarbageCollect?: boolean;
  tags?: string;
  targetType?: string;
  preprocessors?: PreprocessorStep[];
  sourceKind?: 'Table' | 'Query';
  sourceTable?: { schema?: string; name: string };
  /** Seconds CREATE MODEL took to describe and read the training data into its snapshot. */
  snapshotSeconds?: number;
  /** MODEL_TYPE FORECAST: HORIZON, FREQUENCY and the normalised PERCENTILES list. */
  forecast?: { horizon: number; frequency: string; percentiles: string };
}

/** One PREPROCESSORS step: the transformers applied, in order, to the columns of its set ('*': all). */
export interface PreprocessorStep {
  columnSet: string[];
  transformers: string[];
}

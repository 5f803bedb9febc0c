/** What the catalog keeps of a CREATE MODEL statement (model_version.spec), to show and to repeat it. */
export interface ModelSpec {
  auto?: boolean;
  modelType?: string;
  problemType?: string;
  objective?: string;
  hyperparameters?: Record<string, string>;
  /** HYPERPARAMETERS DEFAULT [EXCEPT ...] was written. */
  hyperparametersDefault?: boolean;
  maxRuntime?: number;
  maxCells?: number;
  iamRole?: string;
  s3Bucket?: string;
  kmsKeyId?: string;
  s3GarbageCollect?: boolean;
  tags?: string;
  targetType?: string;
  preprocessors?: Array<{ columnSet: string[]; transformers: string[] }>;
  sourceKind?: 'Table' | 'Query';
  sourceTable?: { schema?: string; name: string };
}

/** SETTINGS ( key value, ... ) of CREATE MODEL and ALTER MODEL RETRAIN; absent keys are undefined. */
export interface ModelSettings {
  readonly s3Bucket?: string;
  readonly kmsKeyId?: string;
  readonly s3GarbageCollect?: boolean;
  /** Rows × columns of training data before it is sampled down. */
  readonly maxCells?: number;
  /** Seconds of training before it stops and keeps the best model so far. */
  readonly maxRuntime?: number;
  readonly tags?: string;
  /** Rows of one request to a remote model's endpoint (SAGEMAKER only). */
  readonly maxBatchRows?: number;
  /** FORECAST only: steps forecast after each series' last time. */
  readonly horizon?: number;
  /** FORECAST only: one of src/forecast's FREQUENCIES. */
  readonly frequency?: string;
  /** FORECAST only: the PERCENTILES list, normalised ('0.1,0.5,0.9,mean'). */
  readonly percentiles?: string;
}

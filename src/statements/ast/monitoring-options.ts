/** ALTER MODEL m SET MONITORING ( ... ): the options given; absent ones stay unchanged. */
export interface MonitoringOptions {
  /** Share of inference calls captured, 0 to 100. */
  readonly capturePercent?: number;
  readonly driftThreshold?: number;
  /** A PostgreSQL interval, as written ('1 hour'); the handler lets PostgreSQL read it. */
  readonly schedule?: string;
  readonly retrainOnDrift?: boolean;
}

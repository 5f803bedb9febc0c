/** The clause values of CREATE MODEL that are closed lists of words. */
export type ModelType = 'XGBOOST' | 'MLP' | 'LINEAR_LEARNER' | 'KMEANS';

export type ProblemType = 'REGRESSION' | 'BINARY_CLASSIFICATION' | 'MULTICLASS_CLASSIFICATION';

/** IAM_ROLE default | 'arn:...' — recorded, no effect. */
export type IamRole = { readonly kind: 'Default' } | { readonly kind: 'Arn'; readonly arn: string };

/** SET ACTIVATION: when a newly READY version becomes the active one. */
export type Activation = 'LATEST' | 'BEST' | 'MANUAL';

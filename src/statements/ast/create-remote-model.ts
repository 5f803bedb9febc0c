import type { DataType } from './data-type.ts';
import type { IamRole } from './model-options.ts';
import type { QualifiedName } from './qualified-name.ts';

/**
 * CREATE [OR REPLACE] MODEL m FUNCTION f (types) RETURNS type SAGEMAKER 'endpoint'[:'model']
 * [IAM_ROLE ...] [SETTINGS (MAX_BATCH_ROWS n)] (contract §11): a model evaluated by an HTTP
 * endpoint the proxy is configured with (src/remote/).
 */
export interface CreateRemoteModel {
  readonly kind: 'CreateRemoteModel';
  readonly orReplace: boolean;
  readonly model: QualifiedName;
  readonly endpoint: string;
  /** 'model' of SAGEMAKER 'endpoint':'model': the model a multi-model endpoint is asked for. */
  readonly targetModel?: string;
  readonly function: { readonly name: QualifiedName; readonly parameterTypes: readonly DataType[] };
  readonly returns: DataType;
  readonly iamRole?: IamRole;
  readonly maxBatchRows?: number;
}

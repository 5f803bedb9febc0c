import type { DataType } from './data-type.ts';
import type { IamRole } from './model-options.ts';
import type { ModelSettings } from './model-settings.ts';
import type { QualifiedName } from './qualified-name.ts';

/**
 * FROM 'redshiftml-...' copies a trained version's artifact; FROM 'dir/model.onnx' loads a file
 * under the server's model directory. A string ending in .onnx or holding a '/' is a file.
 */
export type ModelArtifact =
  | { readonly kind: 'JobName'; readonly jobName: string }
  | { readonly kind: 'File'; readonly path: string };

/** CREATE [OR REPLACE] MODEL m FROM 'artifact' FUNCTION f (types) RETURNS type (contract §2). */
export interface CreateModelFromArtifact {
  readonly kind: 'CreateModelFromArtifact';
  readonly orReplace: boolean;
  readonly model: QualifiedName;
  readonly artifact: ModelArtifact;
  readonly function: { readonly name: QualifiedName; readonly parameterTypes: readonly DataType[] };
  readonly returns: DataType;
  readonly iamRole?: IamRole;
  /** Only s3Bucket and kmsKeyId are accepted for this form. */
  readonly settings: ModelSettings;
}

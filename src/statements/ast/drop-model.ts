import type { QualifiedName } from './qualified-name.ts';

/** DROP MODEL [ IF EXISTS ] m [ CASCADE | RESTRICT ] */
export interface DropModel {
  readonly kind: 'DropModel';
  readonly ifExists: boolean;
  readonly model: QualifiedName;
  /** Also drop the views, indexes and functions that use the model's functions. */
  readonly cascade: boolean;
}

/** DROP MODEL [ IF EXISTS ] m VERSION n [ CASCADE | RESTRICT ] */
export interface DropModelVersion {
  readonly kind: 'DropModelVersion';
  readonly ifExists: boolean;
  readonly model: QualifiedName;
  readonly version: number;
  /** Also drop what uses f_vN (an expression index, say). */
  readonly cascade: boolean;
}

import type { QualifiedName } from './qualified-name.ts';

/** DROP MODEL [ IF EXISTS ] m */
export interface DropModel {
  readonly kind: 'DropModel';
  readonly ifExists: boolean;
  readonly model: QualifiedName;
}

/** DROP MODEL [ IF EXISTS ] m VERSION n */
export interface DropModelVersion {
  readonly kind: 'DropModelVersion';
  readonly ifExists: boolean;
  readonly model: QualifiedName;
  readonly version: number;
}

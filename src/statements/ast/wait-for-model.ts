import type { QualifiedName } from './qualified-name.ts';

/** WAIT FOR MODEL m [ VERSION n ] [ TIMEOUT seconds ] */
export interface WaitForModel {
  readonly kind: 'WaitForModel';
  readonly model: QualifiedName;
  /** Absent: the latest version. */
  readonly version?: number;
  /** Absent: wait without limit. */
  readonly timeoutSeconds?: number;
}

import type { QualifiedName } from './qualified-name.ts';

/** EXECUTE ON MODEL m, ... or the right to CREATE MODEL. */
export type ModelPrivilege =
  | { readonly kind: 'ExecuteOnModel'; readonly models: readonly QualifiedName[] }
  | { readonly kind: 'CreateModel' };

/** A role (Redshift's `ROLE r` and `GROUP g` are roles in PostgreSQL) or PUBLIC. */
export type Grantee = { readonly kind: 'Role'; readonly name: string } | { readonly kind: 'Public' };

/** GRANT { EXECUTE ON MODEL m [, ...] | CREATE MODEL } TO grantee [, ...] [ WITH GRANT OPTION ] */
export interface GrantOnModel {
  readonly kind: 'GrantOnModel';
  readonly privilege: ModelPrivilege;
  readonly grantees: readonly Grantee[];
  readonly withGrantOption: boolean;
}

/** REVOKE [ GRANT OPTION FOR ] { EXECUTE ON MODEL m [, ...] | CREATE MODEL } FROM grantee [, ...] [ CASCADE | RESTRICT ] */
export interface RevokeOnModel {
  readonly kind: 'RevokeOnModel';
  readonly privilege: ModelPrivilege;
  readonly grantees: readonly Grantee[];
  readonly grantOptionFor: boolean;
  readonly cascade: boolean;
}

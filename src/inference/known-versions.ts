import type { IoPlan } from '../artifacts/index.ts';

/** What a call needs of a READY version besides its artifact: all of it fixed once the version is READY. */
export interface KnownVersion {
  version: number;
  jobName: string;
  classes: unknown[] | null;
  ioPlan: IoPlan | null;
}

/** Entries kept at most; past it the map starts again (a few hundred model functions at most in practice). */
const CAPACITY = 1024;

/**
 * The version each model function evaluated when its pg_proc row was last seen with a given
 * stamp (the row's xmin), so that a one-row call needs no lookup statement of its own: the
 * calling statement selects the caller's EXECUTE privilege on the function and the row's stamp,
 * in the statement's own snapshot, and the proxy takes the version it knows for that stamp.
 *
 * Why the stamp fixes the version: every activation rewrites f and f_probabilities in the
 * transaction that changes the active version (write_active_bodies in sql/060), so a snapshot
 * that sees a given row version of f sees the active version that transaction left; f_vN
 * evaluates one READY version for as long as it exists; a READY version's job, classes and plan
 * never change; version numbers are never reused. Entries are only learnt from statements that
 * began outside a transaction block, which see committed catalog rows only: a transaction's own
 * uncommitted activation (stamped with its own xid) is never learnt, so never mistaken later.
 * A stamp not known here (a GRANT rewrites the row too) sends the call the long way, which
 * learns the new stamp.
 */
export class KnownVersions {
  private readonly byFunction = new Map<number, { stamp: string; version: KnownVersion }>();

  get(oid: number, stamp: string): KnownVersion | undefined {
    const entry = this.byFunction.get(oid);
    return entry && entry.stamp === stamp ? entry.version : undefined;
  }

  /** Whether a call of this function may be worth sending the short way: its version was seen before. */
  has(oid: number): boolean {
    return this.byFunction.has(oid);
  }

  learn(oid: number, stamp: string, version: KnownVersion): void {
    if (this.byFunction.size >= CAPACITY && !this.byFunction.has(oid)) this.byFunction.clear();
    this.byFunction.set(oid, { stamp, version });
  }
}

/** A possibly schema-qualified name, each part folded by PostgreSQL's identifier rules. */
export interface QualifiedName {
  readonly schema?: string;
  readonly name: string;
}

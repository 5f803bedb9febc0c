/** A column of a training snapshot: its name and PostgreSQL internal type name. */
export interface SnapshotColumn {
  name: string;
  type: string;
}

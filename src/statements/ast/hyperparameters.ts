/**
 * HYPERPARAMETERS DEFAULT [EXCEPT (key 'value', ...)]. Keys are lower-cased; values are kept as
 * the strings written (they were range-checked while parsing). DEFAULT alone has no overrides.
 */
export interface Hyperparameters {
  readonly overrides: Readonly<Record<string, string>>;
}

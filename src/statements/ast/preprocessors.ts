/** The transformers of PREPROCESSORS, spelled as Redshift ML spells them. */
export const TRANSFORMERS = [
  'OneHotEncoder',
  'OrdinalEncoder',
  'NumericPassthrough',
  'Imputer',
  'ImputerWithIndicator',
  'Normalizer',
  'DateTimeVectorizer',
  'StandardScaler',
  'MinMax',
] as const;

export type TransformerName = (typeof TRANSFORMERS)[number];

/** One element of the PREPROCESSORS list: these transformers, in order, on these columns. */
export interface PreprocessorStep {
  /** Column names as written in the JSON; "*" means every feature column. */
  readonly columnSet: readonly string[];
  readonly transformers: readonly TransformerName[];
}

/** PREPROCESSORS 'none' (Redshift's way to say none, used with AUTO OFF) or a JSON list. */
export type Preprocessors =
  | { readonly kind: 'None' }
  | { readonly kind: 'Steps'; readonly steps: readonly PreprocessorStep[]; readonly json: string };

/** The ML statement AST: one tagged union, MlStatement, and the values its nodes carry. */
export type * from './alter-model.ts';
export type * from './create-model.ts';
export type * from './create-model-from-artifact.ts';
export type * from './data-type.ts';
export type * from './drop-model.ts';
export type * from './evaluate-model.ts';
export type * from './grant-on-model.ts';
export type * from './hyperparameters.ts';
export type * from './ml-statement.ts';
export type * from './model-options.ts';
export type * from './model-settings.ts';
export type * from './monitoring-options.ts';
export type * from './preprocessors.ts';
export type * from './qualified-name.ts';
export type * from './show-model.ts';
export type * from './training-source.ts';
export type * from './wait-for-model.ts';
export { TRANSFORMERS } from './preprocessors.ts';

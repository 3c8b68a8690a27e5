/** The record schema, its parser and scenario ids: what producers (`wirespeed run`, suites) import. */
export * from './record.ts';
export * from './trial.ts';
export * from './parse-record.ts';
export * from './scenario-id.ts';

/** The run store: JSONL records per run, the sink interface, run ids. */
export * from './jsonl.ts';
export * from './sink.ts';
export * from './run-id.ts';

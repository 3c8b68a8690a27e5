/** The InfluxDB sink: configuration, points, the sink itself and pushing a spool later. */
export * from './config.ts';
export * from './points.ts';
export * from './sink.ts';
export * from './spool.ts';
export { createLineWriter, InfluxWriteError, type LineWriter } from './line-writer.ts';
export * from './push.ts';
export * from './from-env.ts';

/** The error of a broken inventory: every problem with its file:line:col, field path, message and hint. */
import { YamlSourceError, type SourceIssue } from './yaml-source.ts';

export { formatIssue, MAX_LISTED_ISSUES } from './yaml-source.ts';
export type InventoryIssue = SourceIssue;

/** A lab inventory that does not load; `message` lists every issue (first line `file:line:col path: message`). */
export class InventoryError extends YamlSourceError {}

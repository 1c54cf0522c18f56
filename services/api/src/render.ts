/**
 * The API's views of executions. They live in @flowgate/executor (view.ts), shared with the archive of
 * finished executions (docs/operations.md "Archive"), so that an archived execution reads as a live one.
 */
export { executionRow, executionView, iso, stepRecordView, stripMarkdown, waitTitle, waitingTitle } from '@flowgate/executor';

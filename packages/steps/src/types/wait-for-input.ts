import { StepError, type StepType } from '@flowgate/engine';
import type { StepServices } from './services';
import { APPROVAL_SCHEMA } from '@flowgate/workflow-format';

const MAX_MESSAGE_BYTES = 10_240;

function messageOf(input: Record<string, unknown>, type: string): string {
  const message = input.message === undefined || input.message === null ? '' : String(input.message);
  const size = Buffer.byteLength(message, 'utf8');
  if (size > MAX_MESSAGE_BYTES) {
    throw new StepError('size_exceeded', `${type}: the rendered message is ${size} bytes, at most ${MAX_MESSAGE_BYTES}`);
  }
  return message;
}

/** waitForInput: the execution waits (no job, no worker) until a valid answer comes (docs/semantics.md "Waiting for a human"). */
export const waitForInput: StepType<StepServices> = {
  type: 'waitForInput',
  instant: true,
  async run(ctx) {
    return { kind: 'waitForInput', message: messageOf(ctx.input, 'waitForInput'), schema: ctx.input.schema ?? null };
  },
};

export const waitForApproval: StepType<StepServices> = {
  type: 'waitForApproval',
  instant: true,
  async run(ctx) {
    return {
      kind: 'waitForInput',
      message: messageOf(ctx.input, 'waitForApproval'),
      schema: APPROVAL_SCHEMA,
      approveLabel: String(ctx.input.approveLabel ?? 'Approve'),
      rejectLabel: String(ctx.input.rejectLabel ?? 'Decline'),
    };
  },
};

/**
 * Helpers of the connector step tests (http, elasticsearch.*, ai.*): a hand-made StepRunContext, so
 * that the step types' run() is called directly, without Redis, BullMQ or a worker.
 */
import type { StepRunContext, StepOutcome, TemplateContext } from '@flowgate/engine';
import { StepError } from '@flowgate/engine';
import type { StepDefinition } from '@flowgate/workflow-format';
import type { StepServices } from '@flowgate/steps';

export interface CtxOptions {
  connectorId?: string;
  path?: string;
  executionId?: string;
  signal?: AbortSignal;
  maxStepSize?: number;
  logs?: string[];
  /** rendered step-level parameters (`items`, `source`) */
  params?: Record<string, unknown>;
  context?: TemplateContext;
}

export function makeCtx(type: string, input: Record<string, unknown>, opts: CtxOptions = {}): StepRunContext {
  const name = (opts.path ?? 'step').split('/').pop()!.replace(/\[\d+\]$/, '');
  const step: StepDefinition = { name, type, with: input, ...(opts.connectorId ? { connectorId: opts.connectorId } : {}) };
  return {
    executionId: opts.executionId ?? '01JTESTEXECUTION0000000000',
    workflowId: 'connector-tests',
    path: opts.path ?? name,
    attempt: 1,
    step,
    input,
    params: opts.params ?? {},
    context: opts.context ?? ({} as TemplateContext),
    signal: opts.signal ?? new AbortController().signal,
    maxStepSize: opts.maxStepSize ?? 1024 * 1024,
    log: (message) => {
      opts.logs?.push(message);
    },
  };
}

/** The services a step gets; cases are not used by connector steps. */
export function services(extra: Partial<StepServices>): StepServices {
  return { cases: undefined as never, ...extra };
}

export function outputOf(outcome: StepOutcome): any {
  if (outcome.kind !== 'output') throw new Error(`expected an output, got ${outcome.kind}`);
  return outcome.output;
}

/** The StepError a promise rejects with (fails the test when it resolves or throws something else). */
export async function stepErrorOf(p: Promise<unknown>): Promise<StepError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StepError) return err;
    throw new Error(`expected a StepError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  throw new Error('expected a StepError, but the step succeeded');
}

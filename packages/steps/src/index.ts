import { StepRegistry } from '@flowgate/engine';
import type { StepServices } from './executor/runtime';
import { consoleStep, dataFilter, dataMap, dataParseJson, dataSet, dataStringifyJson, waitStep, workflowFail } from './types/basic';
import { waitForApproval, waitForInput } from './types/wait-for-input';
import { addComment, createCase, getCase, setStatus } from './types/cases';

export * from './executor/runtime';
export * from './executor/abort-registry';
export * from './executor/transitions';
export * from './executor/process-step';
export * from './executor/timers';
export * from './executor/cancel';
export * from './executor/resume';
export * from './executor/start';
export * from './executor/reconciler';
export * from './executor/answer-validator';
export * from './executor/from-env';
export * from './executor/schedules';
export { httpStep } from './types/http';
export { elasticsearchStep } from './types/elasticsearch';
export { aiStepTypes } from './types/ai';

/** Every built-in step type that needs no connector. */
export function builtinRegistry(): StepRegistry<StepServices> {
  return new StepRegistry<StepServices>().register(
    consoleStep,
    dataSet,
    dataParseJson,
    dataStringifyJson,
    dataMap,
    dataFilter,
    waitStep,
    waitForInput,
    waitForApproval,
    workflowFail,
    createCase,
    addComment,
    getCase,
    setStatus,
  );
}

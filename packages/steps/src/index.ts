/**
 * @flowgate/steps — the built-in step types, each behind the engine's StepType interface, and what
 * they may use (StepServices). No step type knows how it is scheduled: the executor runs them.
 */
import { StepRegistry } from '@flowgate/engine';
import type { StepServices } from './types/services';
import { consoleStep, dataFilter, dataMap, dataParseJson, dataSet, dataStringifyJson, waitStep, workflowFail } from './types/basic';
import { waitForApproval, waitForInput } from './types/wait-for-input';
import { addComment, createCase, getCase, setStatus } from './types/cases';
import { caseCatalogStepTypes, pushCases } from './types/cases-catalog';
import { httpStep } from './types/http';
import { elasticsearchStep } from './types/elasticsearch';
import { aiStepTypes } from './types/ai';
import { kibanaStepTypes } from './types/kibana';
import { notifyStepTypes } from './types/notify-steps';
import { moreDataStepTypes } from './types/data-more';

export { connectorsOf, type StepServices } from './types/services';
export { arrayValue } from './array-value';
export { httpStep, elasticsearchStep, aiStepTypes, kibanaStepTypes, notifyStepTypes, pushCases };
export { caseTemplatesPath } from './types/cases-templates';

/** Every built-in step type that needs no connector. */
export function builtinRegistry(): StepRegistry<StepServices> {
  return new StepRegistry<StepServices>().register(
    consoleStep,
    dataSet,
    dataParseJson,
    dataStringifyJson,
    dataMap,
    dataFilter,
    ...moreDataStepTypes,
    waitStep,
    waitForInput,
    waitForApproval,
    workflowFail,
    createCase,
    addComment,
    getCase,
    setStatus,
    ...caseCatalogStepTypes,
  );
}

/** The step types that call out through a connector (http, elasticsearch.*, ai.*, kibana.*, slack, email, cases.pushCases): the worker adds them. */
export function connectorStepTypes() {
  return [httpStep, elasticsearchStep, ...aiStepTypes, ...kibanaStepTypes, ...notifyStepTypes, pushCases];
}

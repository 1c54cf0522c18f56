/**
 * Every step type the format accepts has something that runs it: a container or loop control or
 * composition step run by the executor itself, or a type the worker registers (builtinRegistry() plus
 * connectorStepTypes()). A type added to the format without a handler would validate, then fail every
 * run with `unknown step type`.
 */
import { builtinRegistry, connectorStepTypes } from '@flowgate/steps';
import { isContainerStep, isLoopControlStep, STEP_TYPES } from '@flowgate/workflow-format';
import { isCompositionStep } from '../src';

it('every fixed step type of the format is run by the executor or by a registered type', () => {
  const registry = builtinRegistry().register(...connectorStepTypes());
  const unhandled = STEP_TYPES.filter((t) => !isContainerStep(t) && !isLoopControlStep(t) && !isCompositionStep(t) && !registry.get(t));
  expect(unhandled).toEqual([]);
  // and the executor's own are not registered types too (one place runs each)
  expect(STEP_TYPES.filter((t) => (isContainerStep(t) || isLoopControlStep(t) || isCompositionStep(t)) && registry.get(t))).toEqual([]);
  expect(registry.get('elasticsearch.indices.getMapping')).toBeDefined();
});

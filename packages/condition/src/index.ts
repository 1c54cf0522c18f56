/**
 * @flowgate/condition — the KQL subset of `if:`/`condition:`/`on.condition` (docs/workflows.md "Conditions"):
 * parsed once (cached), evaluated many times.
 */
export { ConditionError } from './errors';
export type { KqlNode, PathSegment, Pattern, RangeOp } from './ast';
export { parseKql, parsePath } from './parser';
export { evaluateKql, resolvePath } from './evaluate';
export { checkCondition, compileCondition, conditionCache, evaluateCondition, kqlQuote } from './condition';

/**
 * StepError and toStepError: what a step's failure becomes, and whether it is retried
 * (docs/workflows.md "Failure handling": retryable errors only).
 */
import { ConditionError, evaluateCondition } from '@flowgate/condition';
import { renderString, TemplateError } from '@flowgate/template';
import { StepError, toStepError } from '../src';

describe('StepError', () => {
  it('is an Error named StepError, not retryable unless told, with its cause kept', () => {
    const cause = new Error('ECONNRESET');
    const e = new StepError('network', 'cannot reach edr', { retryable: true, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('StepError');
    expect(e.retryable).toBe(true);
    expect(e.cause).toBe(cause);
    const plain = new StepError('validation_error', 'bad');
    expect(plain.retryable).toBe(false);
    expect('cause' in plain).toBe(false);
  });

  it('toInfo is what a record stores: details only when there are some', () => {
    expect(new StepError('validation_error', 'bad').toInfo()).toEqual({ type: 'validation_error', message: 'bad' });
    expect(Object.keys(new StepError('validation_error', 'bad').toInfo())).toEqual(['type', 'message']);
    expect(new StepError('http_error', 'answered 503', { details: { status: 503 } }).toInfo()).toEqual({ type: 'http_error', message: 'answered 503', details: { status: 503 } });
    // a falsy detail is still a detail
    expect(new StepError('step_error', 'x', { details: null }).toInfo()).toEqual({ type: 'step_error', message: 'x', details: null });
  });

  it('retryableStatus: 408, 429 and 5xx are retried; other statuses are not', () => {
    for (const status of [408, 429, 500, 502, 503, 599]) expect([status, StepError.retryableStatus(status)]).toEqual([status, true]);
    for (const status of [200, 301, 400, 401, 403, 404, 409, 422, 499]) expect([status, StepError.retryableStatus(status)]).toEqual([status, false]);
  });
});

describe('toStepError', () => {
  it('returns a StepError as it is', () => {
    const e = new StepError('timeout', 'slow', { retryable: true });
    expect(toStepError(e)).toBe(e);
  });

  it('a template error fails the step with template_error; a template limit with template_limit; neither retried', () => {
    let thrown: unknown;
    try {
      renderString('{{ a | nosuchfilter }}', { a: 1 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TemplateError);
    const e = toStepError(thrown);
    expect(e).toMatchObject({ type: 'template_error', retryable: false, message: (thrown as Error).message });

    const limit = new TemplateError('template limit exceeded in "x": renderLimit', 'limit', 'x');
    expect(toStepError(limit)).toMatchObject({ type: 'template_limit', retryable: false, message: limit.message });
    expect(toStepError(new TemplateError('invalid template', 'syntax', 'x')).type).toBe('template_error');
  });

  it('a condition error fails the step with condition_error, not retried', () => {
    let thrown: unknown;
    try {
      evaluateCondition('a : (b', {});
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConditionError);
    expect(toStepError(thrown)).toMatchObject({ type: 'condition_error', retryable: false, message: (thrown as Error).message });
  });

  it('recognises the carried type as data, not by class or name', () => {
    const carried = Object.assign(new Error('from another copy of the package'), { stepErrorType: 'template_limit' });
    expect(toStepError(carried).type).toBe('template_limit');
    // a name alone is no longer enough
    const named = new Error('named only');
    named.name = 'TemplateError';
    expect(toStepError(named).type).toBe('step_error');
    // a carried value that is not one of the carried types is ignored
    expect(toStepError(Object.assign(new Error('x'), { stepErrorType: 'workflow_fail' })).type).toBe('step_error');
    expect(toStepError(Object.assign(new Error('x'), { stepErrorType: 42 })).type).toBe('step_error');
  });

  it('Node\'s AbortError and TimeoutError (by name: DOMExceptions of fetch and AbortSignal.timeout) are a retryable timeout', () => {
    for (const name of ['AbortError', 'TimeoutError']) {
      const err = Object.assign(new Error(`The operation was ${name === 'AbortError' ? 'aborted' : 'timed out'}`), { name });
      expect(toStepError(err)).toMatchObject({ type: 'timeout', retryable: true, message: err.message });
    }
  });

  it('any other error is a step_error with its message, not retried', () => {
    expect(toStepError(new TypeError('x is not a function'))).toMatchObject({ type: 'step_error', retryable: false, message: 'x is not a function' });
  });

  it('a thrown non-Error becomes a step_error with its text', () => {
    expect(toStepError('boom')).toMatchObject({ type: 'step_error', retryable: false, message: 'boom' });
    expect(toStepError(undefined).message).toBe('undefined');
    expect(toStepError({ code: 1 }).message).toBe('[object Object]');
  });
});

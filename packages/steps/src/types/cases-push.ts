/**
 * cases.pushCases: sends cases to an outside case system through an `http` connector of
 * connectors.yaml (`connector-id`, required when the workflow is saved): one POST per case of
 * `{case}` (the case with its comments, observables and attachments) to the connector's url, or to
 * `with.path` relative to it. Each request carries `Idempotency-Key: <executionId>:<stepPath>:<caseId>`,
 * the same on every attempt, so the receiver can drop a repeat. Connector secrets are redacted from
 * the output and from errors, as for `http`.
 */
import { StepError, type StepType } from '@flowgate/engine';
import { httpCall } from '@flowgate/connectors';
import { connectorsOf, type StepServices } from './services';
import { fail, stringsOf } from './cases-input';

/** Kibana's MAX_CASES_TO_UPDATE. */
export const MAX_PUSH_CASES = 100;

export const pushCases: StepType<StepServices> = {
  type: 'cases.pushCases',
  async run(ctx, services) {
    const registry = connectorsOf(services);
    try {
      const id = ctx.step.connectorId;
      if (!id) throw new StepError('configuration_error', 'cases.pushCases: connector-id is required (an http connector of connectors.yaml that receives the cases)');
      const connector = registry.require(id, 'http', 'cases.pushCases');
      const ids = stringsOf(ctx, ctx.input.case_ids, 'with.case_ids', MAX_PUSH_CASES);
      const path = ctx.input.path;
      if (path !== undefined && (typeof path !== 'string' || path.trim() === '')) throw fail(ctx, 'with.path must be a path relative to the connector\'s url');
      const found = await Promise.all(ids.map((caseId) => services.cases.getWithComments(caseId)));
      const missing = ids.find((_, i) => found[i] === null);
      if (missing !== undefined) throw fail(ctx, `case "${missing}" does not exist`);
      const route = { connector, dispatcher: registry.dispatcher(connector) };
      const pushes = [];
      for (const [i, full] of found.entries()) {
        const res = await httpCall(route, { method: 'POST', url: typeof path === 'string' ? path : connector.url, body: { case: full } }, {
          label: 'cases.pushCases',
          idempotencyKey: `${ctx.executionId}:${ctx.path}:${ids[i]}`,
          signal: ctx.signal,
          maxBodyBytes: ctx.maxStepSize,
        });
        pushes.push({ case_id: ids[i], status: res.status, body: res.body ?? null });
      }
      // The output holds each case as the other cases.* steps answer it (without what was attached).
      const cases = found.map((full) => {
        const { comments: _comments, alerts: _alerts, events: _events, attachments: _attachments, ...detail } = full!;
        return detail;
      });
      return { kind: 'output', output: registry.redact({ cases, pushes }) };
    } catch (err) {
      throw registry.redactError(err);
    }
  },
};

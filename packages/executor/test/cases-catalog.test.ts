/**
 * Kibana's cases.* catalog through the real executor on a real redis-server: one workflow uses every
 * step of the catalog, each reading the steps before it, and what they wrote is read back through the
 * CaseStore (and pushCases' requests at a stand-in ticketing API). Then: a step run again writes
 * nothing, and a missing case or a bad field rendered from a template fails the step naming it.
 */
import type IORedis from 'ioredis';
import { parseConnectors, type ConnectorRegistry } from '@flowgate/connectors';
import { builtinRegistry, connectorStepTypes } from '@flowgate/steps';
import { caseTemplatesFromYaml, type StepDefinition } from '@flowgate/workflow-format';
import type { StepRunContext, TemplateContext } from '@flowgate/engine';
import { ExecutorHarness } from './harness';
import { startEdrServer, type EdrServer } from '../../../test/fixtures/edr-server';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;
let h: ExecutorHarness;
let tickets: EdrServer;
let connectors: ConnectorRegistry;

const TEMPLATES = `templates:
  triage:
    name: Triage
    caseFields:
      title: "Triage: suspicious activity"
      severity: medium
      tags: [triage]
      category: Intrusion
      assignees: [{ uid: soc-lead }]
      customFields: [{ key: playbook, type: text, value: IR-12 }]
`;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  tickets = await startEdrServer();
  connectors = parseConnectors(`connectors:\n  tickets:\n    type: http\n    url: https://tickets.example.com\n    targetUrl: ${tickets.url}\n`, {});
  h = new ExecutorHarness(redis, {
    registry: builtinRegistry().register(...connectorStepTypes()),
    services: { connectors, caseTemplates: caseTemplatesFromYaml(TEMPLATES) },
  });
});
afterAll(async () => {
  await h?.close(true);
  await connectors?.close();
  await tickets?.close();
  await server.stop();
});

const header = 'name: T\ntriggers: [{ type: manual }]\n';
const OPEN = '"{{ steps.open_case.output.case.id }}"';

const WORKFLOW = `${header}steps:
  - name: older
    type: cases.createCase
    with: { title: "older case on web-01", tags: [edr] }
  - name: older_iocs
    type: cases.addObservables
    with:
      case_id: "{{ steps.older.output.case.id }}"
      observables: [{ typeKey: observable-type-ipv4, value: "{{ event.alerts[0].source.ip }}" }]
  - name: open_case
    type: cases.createCase
    with: { title: "Mimikatz on {{ event.alerts[0].host.name }}", tags: [edr] }
  - name: add_alerts
    type: cases.addAlerts
    with:
      case_id: ${OPEN}
      alerts:
        - { alertId: "{{ event.alerts[0]._id }}", index: ".alerts-security.alerts-default", rule: { id: r1, name: Mimikatz } }
  - name: add_events
    type: cases.addEvents
    with: { case_id: ${OPEN}, events: [{ eventId: ev-1, index: logs-endpoint }] }
  - name: add_iocs
    type: cases.addObservables
    with:
      case_id: ${OPEN}
      observables:
        - { typeKey: observable-type-ipv4, value: "{{ event.alerts[0].source.ip }}", description: Source IP }
        - { type: observable-type-hostname, value: web-01 }
        - { typeKey: observable-type-file-hash, value: deadbeef }
  - name: fix_ioc
    type: cases.updateObservable
    with: { case_id: ${OPEN}, observable_id: "{{ steps.add_iocs.output.case.observables[1].id }}", value: web-02 }
  - name: drop_ioc
    type: cases.deleteObservable
    with: { case_id: ${OPEN}, observable_id: "{{ steps.add_iocs.output.case.observables[2].id }}" }
  - name: tag
    type: cases.addTags
    with: { case_id: ${OPEN}, tags: [triage, temp] }
  - name: untag
    type: cases.removeTags
    with: { case_id: ${OPEN}, tags: [temp] }
  - name: assign
    type: cases.assignCase
    with: { case_id: ${OPEN}, assignees: [{ uid: u-1 }, { uid: u-2 }] }
  - name: unassign
    type: cases.unassignCase
    with: { case_id: ${OPEN}, assignees: [{ uid: u-2 }] }
  - name: category
    type: cases.setCategory
    with: { case_id: ${OPEN}, category: Malware }
  - name: field
    type: cases.setCustomField
    with: { case_id: ${OPEN}, field_name: contained, value: true }
  - name: describe
    type: cases.setDescription
    with: { case_id: ${OPEN}, description: "mimikatz ran as {{ event.alerts[0].user.name }}" }
  - name: severity
    type: cases.setSeverity
    with: { case_id: ${OPEN}, severity: high }
  - name: title
    type: cases.setTitle
    with: { case_id: ${OPEN}, title: "Confirmed: mimikatz on web-01" }
  - name: attach_many
    type: cases.addAttachments
    with:
      case_id: ${OPEN}
      attachments:
        - { type: comment, data: { content: "isolating the host" } }
        - { type: externalReference, externalReferenceId: TICKET-9 }
  - name: update
    type: cases.updateCase
    with: { case_id: ${OPEN}, updates: { status: in-progress, customFields: [{ key: contained, type: toggle, value: true }, { key: ticket, type: text, value: TICKET-9 }] } }
  - name: updates
    type: cases.updateCases
    with: { cases: [{ case_id: "{{ steps.older.output.case.id }}", updates: { severity: critical } }] }
  - name: similar
    type: cases.findSimilarCases
    with: { case_id: ${OPEN} }
  - name: by_alert
    type: cases.getCasesByAlertId
    with: { alert_id: "{{ event.alerts[0]._id }}" }
  - name: get_many
    type: cases.getCases
    with: { case_ids: ["{{ steps.older.output.case.id }}", ${OPEN}, no-such-case] }
  - name: everything
    type: cases.getAllAttachments
    with: { case_id: ${OPEN} }
  - name: found
    type: cases.findCases
    with: { tags: edr, status: in-progress, search: web-01 }
  - name: templated
    type: cases.createCaseFromTemplate
    with: { case_template_id: triage, overwrites: { severity: high } }
  - name: push
    type: cases.pushCases
    connector-id: tickets
    with: { case_ids: [${OPEN}], path: /cases }
  - name: close
    type: cases.closeCase
    with: { case_id: ${OPEN} }
  - name: doomed
    type: cases.createCase
    with: { title: "opened by mistake", tags: [edr] }
  - name: delete
    type: cases.deleteCases
    with: { case_ids: ["{{ steps.doomed.output.case.id }}"] }
`;

const event = { alerts: [{ _id: 'alert-42', host: { name: 'web-01' }, user: { name: 'bob' }, source: { ip: '10.0.0.8' } }] };

it('a workflow using every step of the catalog runs, and the store holds what each wrote', async () => {
  const id = await h.start('cases-catalog', WORKFLOW, { event });
  const { exec, step } = await h.done(id, 30_000);
  expect([exec.status, exec.error ?? null]).toEqual(['COMPLETED', null]);
  const caseId: string = (step('open_case')!.output as any).case.id;
  const olderId: string = (step('older')!.output as any).case.id;
  const cases = h.rt.cases;

  const full = (await cases.getWithComments(caseId))!;
  expect(full).toMatchObject({
    title: 'Confirmed: mimikatz on web-01',
    description: 'mimikatz ran as bob',
    severity: 'high',
    status: 'closed',
    tags: ['edr', 'triage'],
    assignees: [{ uid: 'u-1' }],
    category: 'Malware',
    customFields: [
      { key: 'contained', type: 'toggle', value: true },
      { key: 'ticket', type: 'text', value: 'TICKET-9' },
    ],
    totalAlerts: 1,
    totalEvents: 1,
    totalComment: 1,
    totalAttachments: 1,
  });
  expect(full.closedAt).toEqual(expect.any(String));
  expect(full.observables.map((o) => [o.typeKey, o.value, o.description])).toEqual([
    ['observable-type-ipv4', '10.0.0.8', 'Source IP'],
    ['observable-type-hostname', 'web-02', null],
  ]);
  expect(full.alerts).toEqual([{ alertId: 'alert-42', index: '.alerts-security.alerts-default', rule: { id: 'r1', name: 'Mimikatz' }, attachedAt: expect.any(String) }]);
  expect(full.events.map((e) => e.eventId)).toEqual(['ev-1']);
  expect(full.comments.map((c) => [c.comment, c.author])).toEqual([['isolating the host', 'workflow:cases-catalog']]);
  expect(full.attachments).toEqual([{ id: expect.any(String), type: 'externalReference', data: { externalReferenceId: 'TICKET-9' }, attachedAt: expect.any(String) }]);

  expect(step('drop_ioc')!.output).toEqual({ case_id: caseId, observable_id: (step('add_iocs')!.output as any).case.observables[2].id });
  expect((await cases.detail(olderId))!.severity).toBe('critical');

  // reads: similar (the older case shares 10.0.0.8 and the tag edr), by alert, bulk get, attachments, search
  const similar = step('similar')!.output as any;
  expect(similar.cases.map((c: any) => c.id)).toEqual([olderId]);
  expect(similar.cases[0].similarities).toEqual({ observables: [{ typeKey: 'observable-type-ipv4', typeLabel: 'IPv4', value: '10.0.0.8' }], tags: ['edr'] });
  expect((step('by_alert')!.output as any).cases).toEqual([{ id: caseId, title: 'Confirmed: mimikatz on web-01', description: 'mimikatz ran as bob', status: 'in-progress', createdAt: expect.any(String), totals: { alerts: 1, userComments: 1 } }]);
  expect((step('get_many')!.output as any).cases.map((c: any) => c.id)).toEqual([olderId, caseId]);
  expect((step('get_many')!.output as any).errors).toEqual([{ error: 'Not Found', message: 'case "no-such-case" does not exist', status: 404, caseId: 'no-such-case' }]);
  expect((step('everything')!.output as any).attachments.map((a: any) => a.type).sort()).toEqual(['alert', 'event', 'externalReference', 'user']);
  expect(step('found')!.output).toMatchObject({ total: 1, count_in_progress_cases: 1, count_open_cases: 1, cases: [{ id: caseId }] });

  // template, push, delete
  const templated = (await cases.detail((step('templated')!.output as any).case.id))!;
  expect(templated).toMatchObject({ title: 'Triage: suspicious activity', severity: 'high', tags: ['triage'], category: 'Intrusion', assignees: [{ uid: 'soc-lead' }], customFields: [{ key: 'playbook', type: 'text', value: 'IR-12' }] });
  expect(tickets.pushedCases).toHaveLength(1);
  expect(tickets.pushedCases[0].headers['idempotency-key']).toBe(`${id}:push:${caseId}`);
  expect((tickets.pushedCases[0].body as any).case).toMatchObject({ id: caseId, alerts: [{ alertId: 'alert-42' }] });
  expect((step('push')!.output as any).pushes).toEqual([{ case_id: caseId, status: 200, body: { id: 'EXT-1', caseId, status: 'pushed' } }]);
  const doomed = (step('doomed')!.output as any).case.id;
  expect(await cases.get(doomed)).toBeNull();
  expect(await redis.zrange(cases.keys.casesByTag('edr'), 0, -1)).not.toContain(doomed);

  // A step run again (a worker killed after its write, before its commit) writes nothing.
  const before = (await cases.detail(caseId))!;
  const again = (type: string, path: string, input: Record<string, unknown>) => {
    const ctx: StepRunContext = {
      executionId: id,
      workflowId: 'cases-catalog',
      path,
      attempt: 1,
      step: { name: path, type, with: input } as StepDefinition,
      input,
      params: {},
      context: {} as TemplateContext,
      signal: new AbortController().signal,
      maxStepSize: 1 << 20,
      log: () => undefined,
    };
    return h.rt.registry.get(type)!.run(ctx, h.rt.services);
  };
  await again('cases.addObservables', 'add_iocs', { case_id: caseId, observables: [{ typeKey: 'observable-type-ipv4', value: '10.0.0.8' }, { typeKey: 'observable-type-hostname', value: 'web-01' }, { typeKey: 'observable-type-file-hash', value: 'deadbeef' }] });
  await again('cases.addTags', 'tag', { case_id: caseId, tags: ['triage', 'temp'] });
  await again('cases.addAttachments', 'attach_many', { case_id: caseId, attachments: [{ type: 'comment', data: { content: 'isolating the host' } }] });
  expect(await cases.detail(caseId)).toEqual(before);
}, 60_000);

it('a missing case, or a bad field rendered from a template, fails the step naming it (validation_error)', async () => {
  const missing = await h.start('cases-missing', `${header}steps:\n  - name: iocs\n    type: cases.addObservables\n    with: { case_id: nope-123, observables: [{ typeKey: observable-type-ipv4, value: 10.0.0.1 }] }\n`);
  expect((await h.done(missing)).step('iocs')!.error).toEqual({ type: 'validation_error', message: 'cases.addObservables: case "nope-123" does not exist' });

  const bad = await h.start(
    'cases-bad-field',
    `${header}steps:\n  - name: open\n    type: cases.createCase\n    with: { title: t }\n  - name: sev\n    type: cases.updateCase\n    with: { case_id: "{{ steps.open.output.case.id }}", updates: { severity: "{{ inputs.level }}" } }\n`,
    { inputs: { level: 'apocalyptic' } },
  );
  const done = await h.done(bad);
  expect(done.exec.status).toBe('FAILED');
  expect(done.step('sev')!.error).toEqual({ type: 'validation_error', message: 'cases.updateCase: with.updates.severity must be one of low, medium, high, critical, got the text "apocalyptic"' });

  const template = await h.start('cases-no-template', `${header}steps:\n  - name: t\n    type: cases.createCaseFromTemplate\n    with: { case_template_id: nope }\n`);
  expect((await h.done(template)).step('t')!.error).toEqual({ type: 'validation_error', message: 'cases.createCaseFromTemplate: no case template "nope" in the configured templates (templates: triage)' });
});

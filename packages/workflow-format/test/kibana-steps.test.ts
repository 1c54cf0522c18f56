/**
 * Issue 14: Kibana's kibana.request, kibana.SetAlertsStatus, kibana.SetAlertTags, ai.agent, slack and
 * email steps when a workflow is saved: Kibana's own examples validate, the mistakes Kibana refuses are
 * errors naming the key, Kibana keys Flowgate does not act on are warnings, and normalization hands
 * the step what it reads.
 */
import { validateWorkflow } from '@flowgate/workflow-format';

const CONNECTORS = { kibana: { type: 'kibana' }, 'my-openai': { type: 'openai' }, 'security-alerts-channel': { type: 'slack' }, mail: { type: 'email' } };

const workflow = (steps: string) => `name: K\ntriggers: [{ type: alert }]\nsteps:\n${steps}`;
const validate = (steps: string) => validateWorkflow(workflow(steps), { connectors: CONNECTORS });
const messages = (steps: string) => validate(steps).errors.map((e) => `${e.path}: ${e.message}`);

describe("Kibana's examples validate unchanged", () => {
  it('kibana.SetAlertsStatus, kibana.SetAlertTags, kibana.request (Kibana\'s docs), with fetcher warned', () => {
    const r = validate(`
  - name: close_false_positive
    type: kibana.SetAlertsStatus
    with:
      signal_ids:
        - "{{ event.alerts[0]._id }}"
      status: "closed"
      reason: "false_positive"
      fetcher:
        skip_ssl_verification: true
  - name: mark_reviewed
    type: kibana.SetAlertTags
    with:
      ids:
        - "{{ event.alerts[0]._id }}"
      tags:
        tags_to_add: ["analyst-reviewed"]
        tags_to_remove: []
  - name: unisolate_endpoint
    type: kibana.request
    with:
      method: "POST"
      path: "/api/endpoint/action/unisolate"
      body:
        endpoint_ids: ["{{ event.alerts[0].elastic.agent.id }}"]
        comment: "Unisolating endpoint as part of automated cleanup."
`);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(['steps[0].with.fetcher: accepted but ignored (Kibana key)']);
    expect(r.definition!.steps[0].with).toEqual({ signal_ids: ['{{ event.alerts[0]._id }}'], status: 'closed', reason: 'false_positive' });
  });

  it('ai.agent with agent-id, create-conversation, with.timeout and schema; the agent reaches with.agent_id', () => {
    const r = validate(`
  - name: investigate
    type: ai.agent
    agent-id: "security-analyst-agent"
    connector-id: kibana
    create-conversation: true
    with:
      timeout: 1800s
      message: |
        Investigate alert {{ event.alerts[0]._id }} and propose next steps.
      schema:
        type: "object"
        properties:
          findings:
            type: "array"
            items:
              type: "string"
          recommended_action:
            type: "string"
  - name: followup
    type: ai.agent
    agent-id: "security-analyst-agent"
    with:
      conversation_id: "{{ steps.investigate.output.conversation_id }}"
      message: "Apply the recommended action and report back."
`);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.path)).toEqual(['steps[0].create-conversation']);
    expect(r.definition!.steps[0]).toMatchObject({ connectorId: 'kibana', with: { agent_id: 'security-analyst-agent', timeout: '1800s' } });
    expect(r.definition!.steps[1].with.agent_id).toBe('security-analyst-agent');
  });

  it('slack and email connector steps (Kibana\'s external-systems docs)', () => {
    const r = validate(`
  - name: notify_security_channel
    type: slack
    connector-id: "security-alerts-channel"
    with:
      message: "High-priority alert: {{ event.alerts[0].rule.name }}. Please investigate immediately."
  - name: mail
    type: email
    connector-id: mail
    with:
      to: ["soc@example.com"]
      bcc: audit@example.com
      subject: "Alert"
      message: "See Kibana."
`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

it("ai.agent's connector-id that is not in connectors.yaml is Kibana's AI connector: a warning, not an error", () => {
  const r = validate(`
  - name: ask
    type: ai.agent
    connector-id: .anthropic-claude-3-7-sonnet
    with: { message: "Summarize {{ event.alerts[0]._id }}" }
`);
  expect(r.errors).toEqual([]);
  expect(r.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
    'steps[0].connector-id: ".anthropic-claude-3-7-sonnet" is not a connector of connectors.yaml: sent to Kibana as the agent\'s AI connector (connector_id), through the default kibana connector',
  ]);
});

describe('mistakes are errors naming the key', () => {
  it.each([
    ['both signal_ids and query', '  - name: s\n    type: kibana.SetAlertsStatus\n    with: { signal_ids: [a], query: { match_all: {} }, status: closed }\n', 'steps[0].with: give either "signal_ids" (alert ids) or "query" (a query DSL object), not both or neither'],
    ['neither signal_ids nor query', '  - name: s\n    type: kibana.SetAlertsStatus\n    with: { status: closed }\n', 'steps[0].with: give either "signal_ids" (alert ids) or "query" (a query DSL object), not both or neither'],
    ['an unknown status', '  - name: s\n    type: kibana.SetAlertsStatus\n    with: { signal_ids: [a], status: done }\n', 'steps[0].with.status'],
    ['Kibana\'s ids spelled the tags way', '  - name: s\n    type: kibana.SetAlertsStatus\n    with: { ids: [a], status: closed }\n', 'steps[0].with.ids'],
    ['tags at the top of with', '  - name: t\n    type: kibana.SetAlertTags\n    with: { ids: [a], tags_to_add: [x], tags_to_remove: [] }\n', 'steps[0].with'],
    ['a tag added and removed', '  - name: t\n    type: kibana.SetAlertTags\n    with: { ids: [a], tags: { tags_to_add: [x, y], tags_to_remove: [y] } }\n', 'steps[0].with.tags: a tag cannot be both added and removed: y'],
    ['tags_to_remove missing', '  - name: t\n    type: kibana.SetAlertTags\n    with: { ids: [a], tags: { tags_to_add: [x] } }\n', 'missing required key "tags_to_remove"'],
    ['a path that is a URL', '  - name: r\n    type: kibana.request\n    with: { path: "https://kibana.example.com/api/status" }\n', 'steps[0].with.path: expected a Kibana API path starting with "/"'],
    ['a request without path', '  - name: r\n    type: kibana.request\n    with: { method: GET }\n', 'missing required key "path"'],
    ['ai.agent without message', '  - name: a\n    type: ai.agent\n    with: { agent_id: x }\n', 'steps[0].with: give the text sent to the agent as "message" (or "input"), once'],
    ['the agent twice', '  - name: a\n    type: ai.agent\n    agent-id: x\n    with: { agent_id: y, message: m }\n', 'steps[0].with.agent_id: the agent is given twice'],
    ['ai.agent with an openai connector', '  - name: a\n    type: ai.agent\n    connector-id: my-openai\n    with: { message: m }\n', 'steps[0].connector-id: connector "my-openai" is of type "openai", but an ai.agent step needs a connector of type "kibana"'],
    ['kibana.request with a slack connector', '  - name: r\n    type: kibana.request\n    connector-id: security-alerts-channel\n    with: { path: /api/status }\n', 'needs a connector of type "kibana"'],
    ['slack without connector-id', '  - name: s\n    type: slack\n    with: { message: m }\n', 'steps[0]: missing required key "connector-id"'],
    ['email with a slack connector', '  - name: e\n    type: email\n    connector-id: security-alerts-channel\n    with: { to: a@b.c, subject: s, message: m }\n', 'but an email step needs a connector of type "email"'],
    ['email without subject', '  - name: e\n    type: email\n    connector-id: mail\n    with: { to: a@b.c, message: m }\n', 'missing required key "subject"'],
    ['Kibana\'s PascalCase spelled lower-case', '  - name: s\n    type: kibana.setAlertsStatus\n    with: { signal_ids: [a], status: closed }\n', 'steps[0].type: unknown step type "kibana.setAlertsStatus"'],
    ['a bad with.schema on ai.agent', '  - name: a\n    type: ai.agent\n    with: { message: m, schema: { type: nope } }\n', 'steps[0].with.schema'],
  ])('%s', (_what, steps, expected) => {
    const found = messages(steps);
    expect(found.some((m) => m.includes(expected))).toBe(true);
  });
});

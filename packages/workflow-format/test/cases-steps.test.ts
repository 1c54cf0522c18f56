/**
 * Kibana's cases.* catalog when a workflow is saved (cases-steps.ts): Kibana's parameter names
 * validate, an unknown key is an error naming it, Kibana keys Flowgate does not act on are warnings
 * naming them, and cases.pushCases needs an http connector.
 */
import { KIBANA_IGNORED_MESSAGE, validateWorkflow } from '../src';

const header = 'name: T\ntriggers: [{ type: manual }]\nsteps:\n';
const CONNECTORS = { tickets: { type: 'http' }, es: { type: 'elasticsearch' } };

function check(steps: string) {
  return validateWorkflow(header + steps, { connectors: CONNECTORS });
}
const messages = (problems: { path: string; message: string }[]) => problems.map((p) => `${p.path}: ${p.message}`);

it("accepts Kibana's documented examples of every step of the catalog", () => {
  const r = check(`
  - { name: open, type: cases.createCase, with: { title: "t" } }
  - name: add_alerts
    type: cases.addAlerts
    with:
      case_id: "{{ steps.open.output.case.id }}"
      alerts:
        - alertId: "alert-1"
          index: ".alerts-security.alerts-default"
          rule: { id: "rule-1", name: "Suspicious process" }
  - { name: add_events, type: cases.addEvents, with: { case_id: "c", events: [{ eventId: "event-1", index: ".ds-logs-*" }] } }
  - { name: add_observables, type: cases.addObservables, with: { case_id: "c", observables: [{ typeKey: "observable-type-ipv4", value: "10.0.0.8", description: "Source IP" }] } }
  - { name: update_observable, type: cases.updateObservable, with: { case_id: "c", observable_id: "obs-789", value: "10.0.0.42", description: null } }
  - { name: delete_observable, type: cases.deleteObservable, with: { case_id: "c", observable_id: "obs-789" } }
  - { name: tags, type: cases.addTags, with: { case_id: "c", tags: ["investigation", "high-priority"] } }
  - { name: untag, type: cases.removeTags, with: { case_id: "c", tags: ["investigation"] } }
  - { name: assign, type: cases.assignCase, with: { case_id: "c", assignees: [{ uid: "user-123" }, { uid: "user-456" }] } }
  - { name: unassign_all, type: cases.unassignCase, with: { case_id: "c", assignees: null } }
  - { name: close, type: cases.closeCase, with: { case_id: "c" } }
  - { name: delete, type: cases.deleteCases, with: { case_ids: ["a", "b"] } }
  - { name: find, type: cases.findCases, with: { status: "open", severity: ["high", "critical"], tags: ["investigation"], sortField: "updatedAt", sortOrder: "desc", page: 1, perPage: 20 } }
  - { name: similar, type: cases.findSimilarCases, with: { case_id: "c", page: 1, perPage: 20 } }
  - { name: get, type: cases.getCases, with: { case_ids: ["a", "b"] } }
  - { name: by_alert, type: cases.getCasesByAlertId, with: { alert_id: "550e8400" } }
  - { name: all, type: cases.getAllAttachments, with: { case_id: "c" } }
  - name: many
    type: cases.addAttachments
    with:
      case_id: "c"
      attachments:
        - { type: comment, data: { content: "Investigating this incident." } }
        - { type: stack.alert, attachmentId: "alert-uuid-1", metadata: { index: ".alerts-stack.alerts-default", rule: { id: "r", name: "High CPU" } } }
  - { name: category, type: cases.setCategory, with: { case_id: "c", category: "Malware" } }
  - { name: field, type: cases.setCustomField, with: { case_id: "c", field_name: "ticket", value: "T-1" } }
  - { name: description, type: cases.setDescription, with: { case_id: "c", description: "d" } }
  - { name: severity, type: cases.setSeverity, with: { case_id: "c", severity: "high" } }
  - { name: title, type: cases.setTitle, with: { case_id: "c", title: "new" } }
  - { name: update, type: cases.updateCase, with: { case_id: "c", updates: { status: "in-progress", tags: [a] } } }
  - { name: updates, type: cases.updateCases, with: { cases: [{ case_id: "c", updates: { severity: "low" } }] } }
  - { name: from_template, type: cases.createCaseFromTemplate, with: { case_template_id: "triage_template", overwrites: { title: "x", severity: "high", status: "in-progress" } } }
  - { name: push, type: cases.pushCases, connector-id: tickets, with: { case_ids: ["c"] } }
`);
  expect(messages(r.errors)).toEqual([]);
  expect(messages(r.warnings)).toEqual([]);
});

it('an unknown key is an error naming it', () => {
  expect(messages(check('  - { name: s, type: cases.setSeverity, with: { case_id: "c", severity: high, sevrity: low } }\n').errors)).toEqual([
    expect.stringContaining('unknown key "sevrity"'),
  ]);
  expect(messages(check('  - { name: u, type: cases.updateCase, with: { case_id: "c", updates: { titel: "x" } } }\n').errors)).toEqual([
    expect.stringContaining('unknown key "titel"'),
  ]);
});

it("Kibana keys Flowgate does not act on are warnings naming each: version, owner, reporters, push-case, updates.settings", () => {
  const r = check(`
  - { name: a, type: cases.assignCase, push-case: true, with: { case_id: "c", assignees: [{ uid: u }], version: "WzEsMV0=" } }
  - { name: f, type: cases.findCases, with: { owner: securitySolution, reporters: [bob] } }
  - { name: b, type: cases.getCasesByAlertId, with: { alert_id: "x", owner: securitySolution } }
  - { name: u, type: cases.updateCases, with: { cases: [{ case_id: "c", version: "v", updates: { settings: { syncAlerts: true }, connector: { id: none } } }] } }
`);
  expect(messages(r.errors)).toEqual([]);
  expect(r.warnings.map((w) => `${w.path}: ${w.message}`).sort()).toEqual(
    [
      'steps[0].push-case',
      'steps[0].with.version',
      'steps[1].with.owner',
      'steps[1].with.reporters',
      'steps[2].with.owner',
      'steps[3].with.cases[0].version',
      'steps[3].with.cases[0].updates.settings',
      'steps[3].with.cases[0].updates.connector',
    ].map((p) => `${p}: ${KIBANA_IGNORED_MESSAGE}`).sort(),
  );
});

it('push-case is refused on read-only steps, as in Kibana', () => {
  expect(messages(check('  - { name: f, type: cases.findCases, push-case: true, with: {} }\n').errors)).toEqual([expect.stringContaining('push-case')]);
});

it('cases.pushCases needs a connector-id of an http connector', () => {
  expect(messages(check('  - { name: p, type: cases.pushCases, with: { case_ids: [c] } }\n').errors)).toEqual([expect.stringContaining('connector-id')]);
  expect(messages(check('  - { name: p, type: cases.pushCases, connector-id: es, with: { case_ids: [c] } }\n').errors)).toEqual([
    'steps[0].connector-id: connector "es" is of type "elasticsearch", but a cases.pushCases step needs a connector of type "http"',
  ]);
  expect(messages(check('  - { name: p, type: cases.pushCases, connector-id: nope, with: { case_ids: [c] } }\n').errors)).toEqual([expect.stringContaining('unknown connector "nope"')]);
});

it('bad literals are errors at save time: bounds, enums, an observable without its type', () => {
  const r = check(`
  - { name: a, type: cases.findCases, with: { perPage: 500, sortField: nope } }
  - { name: b, type: cases.addObservables, with: { case_id: c, observables: [{ value: "10.0.0.1" }] } }
  - { name: c, type: cases.assignCase, with: { case_id: c, assignees: [{ id: u }] } }
  - { name: d, type: cases.setCustomField, with: { case_id: c, field_name: f, value: [1] } }
`);
  const found = messages(r.errors).join('\n');
  for (const path of ['steps[0].with.perPage', 'steps[0].with.sortField', 'steps[1].with.observables[0]', 'steps[2].with.assignees[0]', 'steps[3].with.value']) expect(found).toContain(path);
});

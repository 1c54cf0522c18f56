/** Alert ingestion (docs/api.md "Alert ingestion"): events, bare alerts, trigger conditions, bulk NDJSON, idempotency. */
import { System, KEY_NAMES, consoleWorkflow, executionIds, expectError, uid } from './util';

let sys: System;
beforeAll(async () => {
  sys = await System.start({ workers: 2 });
}, 60_000);
afterAll(async () => sys?.stop());

/** An alert-triggered workflow; `condition` keeps other tests' events away from it. */
function alertWorkflow(name: string, condition?: string, extra = ''): string {
  const on = condition ? `\n    on:\n      condition: ${JSON.stringify(condition)}` : '';
  return `name: ${name}
${extra}triggers:
  - type: alert${on}
steps:
  - name: echo
    type: console
    with:
      message: "{{ event.alerts[0].host.name }}"
`;
}

const post = (body: unknown, opts: { query?: string; key?: 'ingest' | 'admin'; headers?: Record<string, string> } = {}) =>
  sys.request('POST', `/api/alerts${opts.query ?? ''}`, { key: opts.key ?? 'ingest', body, headers: opts.headers });

const bulk = (raw: string, opts: { query?: string; headers?: Record<string, string> } = {}) =>
  sys.request('POST', `/api/alerts/_bulk${opts.query ?? ''}`, { key: 'ingest', raw, headers: { 'content-type': 'application/x-ndjson', ...opts.headers } });

describe('POST /api/alerts', () => {
  it('starts one execution per enabled workflow with a matching alert trigger', async () => {
    const tag = uid('tag');
    const paged = uid('paged');
    const anyWf = uid('any');
    const disabled = uid('disabled');
    const manual = uid('manual');
    const other = uid('other');
    await sys.putWorkflow(paged, alertWorkflow('Paged', `rule.tags : ${tag}`));
    await sys.putWorkflow(anyWf, alertWorkflow('Any', `rule.name : "${tag}" or rule.tags : ${tag}`));
    await sys.putWorkflow(disabled, alertWorkflow('Disabled', `rule.tags : ${tag}`, 'enabled: false\n'));
    await sys.putWorkflow(manual, consoleWorkflow('Manual'));
    await sys.putWorkflow(other, alertWorkflow('Other', `rule.tags : not-${tag}`));

    const r = await post({ alerts: [{ host: { name: 'web-01' }, rule: { name: 'r', tags: [tag, 'edr'] } }] });
    expect(r.status).toBe(202);
    // (other tests' workflows without a condition match every event: look at this test's only)
    const mine = [paged, anyWf, disabled, manual, other];
    expect(r.body.executions.filter((e: any) => mine.includes(e.workflowId)).map((e: any) => e.workflowId).sort()).toEqual([anyWf, paged].sort());
    for (const e of r.body.executions) expect(Object.keys(e).sort()).toEqual(['executionId', 'workflowId']);
    const exec = await sys.waitForExecution(r.body.executions.find((e: any) => e.workflowId === paged).executionId);
    expect(exec).toMatchObject({ status: 'COMPLETED', trigger: 'alert', triggeredBy: KEY_NAMES.ingest, inputs: {} });
    expect(exec.steps[0].output).toBe('web-01');
    // the rule was copied from alerts[0].rule to the event
    expect(exec.event.rule).toEqual({ name: 'r', tags: [tag, 'edr'] });
    // Every execution of the alert reads the whole event; Redis holds it once for all of them.
    const ids: string[] = r.body.executions.map((e: any) => e.executionId);
    for (const id of ids) expect((await sys.waitForExecution(id)).event).toEqual({ alerts: [{ host: { name: 'web-01' }, rule: { name: 'r', tags: [tag, 'edr'] } }], rule: { name: 'r', tags: [tag, 'edr'] } });
    const redis = sys.redis.client();
    const refs = new Set(await Promise.all(ids.map((id) => redis.hget(`fg:{${id}}:e`, 'evr'))));
    expect(refs.size).toBe(1);
    expect(await redis.hget(`fg:ev:${[...refs][0]}`, 'refs')).toBe(String(ids.length));

    const none = await post({ alerts: [{ rule: { tags: ['nothing'] } }] }, { query: `?workflowId=${paged},${anyWf},${disabled},${manual},${other}` });
    expect(none).toMatchObject({ status: 202, body: { executions: [] } });
  });

  it('takes any other object as one bare alert, and keeps an explicit rule and spaceId', async () => {
    const wf = uid('bare');
    await sys.putWorkflow(wf, alertWorkflow('Bare'));
    const alert = { '@timestamp': '2026-01-01T00:00:00.000Z', host: { name: 'bare-host' }, rule: { id: 'r1', name: 'Bare rule' } };
    const r = await post(alert, { query: `?workflowId=${wf}` });
    expect(r.status).toBe(202);
    expect(r.body.executions).toHaveLength(1);
    const e = await sys.waitForExecution(r.body.executions[0].executionId);
    expect(e.event).toEqual({ alerts: [alert], rule: alert.rule });
    expect(e.steps[0].output).toBe('bare-host');

    const event = { alerts: [{ host: { name: 'h2' }, rule: { name: 'inner' } }], rule: { name: 'outer' }, spaceId: 'default' };
    const r2 = await post(event, { query: `?workflowId=${wf}` });
    const e2 = await sys.waitForExecution(r2.body.executions[0].executionId);
    expect(e2.event).toEqual(event);
  });

  it('restricts candidates with ?workflowId=a,b', async () => {
    const a = uid('ra');
    const b = uid('rb');
    const c = uid('rc');
    const tag = uid('restrict');
    for (const id of [a, b, c]) await sys.putWorkflow(id, alertWorkflow(id, `rule.tags : ${tag}`));
    const r = await post({ alerts: [{ rule: { tags: [tag] } }] }, { query: `?workflowId=${a},${c}` });
    expect(r.body.executions.map((e: any) => e.workflowId).sort()).toEqual([a, c].sort());
  });

  it('refuses a body that is not a JSON object with 400', async () => {
    for (const raw of ['[1, 2]', '"alert"', '42', 'null', 'true']) {
      const r = await sys.request('POST', '/api/alerts', { key: 'ingest', raw, headers: { 'content-type': 'application/json' } });
      expectError(r, 400, 'bad_request');
    }
    expectError(await sys.request('POST', '/api/alerts', { key: 'ingest' }), 400, 'bad_request');
    expectError(await post({ alerts: 'not an array' }), 400, 'bad_request');
  });

  it('picks up workflows saved after the previous alert (the candidate cache follows the revision)', async () => {
    const tag = uid('late');
    const wf = uid('latewf');
    const started = (r: any) => r.body.executions.filter((e: any) => e.workflowId === wf);
    expect(started(await post({ alerts: [{ rule: { tags: [tag] } }] }))).toEqual([]);
    await sys.putWorkflow(wf, alertWorkflow('Late', `rule.tags : ${tag}`));
    expect(started(await post({ alerts: [{ rule: { tags: [tag] } }] }))).toHaveLength(1);
    await sys.putWorkflow(wf, alertWorkflow('Late', `rule.tags : ${tag}`, 'enabled: false\n'));
    expect(started(await post({ alerts: [{ rule: { tags: [tag] } }] }))).toEqual([]);
  });
});

describe('idempotency', () => {
  let wf: string;
  beforeAll(async () => {
    wf = uid('idem');
    await sys.putWorkflow(wf, alertWorkflow('Idempotent'));
  });

  it('answers a repeated Idempotency-Key with the same status and body, starting one execution', async () => {
    const key = uid('key');
    const first = await post({ alerts: [{ n: 1 }] }, { query: `?workflowId=${wf}`, headers: { 'Idempotency-Key': key } });
    const second = await post({ alerts: [{ n: 2 }] }, { query: `?workflowId=${wf}`, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await executionIds(sys, wf)).toContain(first.body.executions[0].executionId);
    const ttl = await sys.redis.client().pttl(`fg:idem:${KEY_NAMES.ingest}:a:${key}`);
    expect(ttl).toBeGreaterThan(23.9 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('uses the event\'s top-level id (a bare alert\'s own id) when there is no header, scoped per key name', async () => {
    const before = (await executionIds(sys, wf)).length;
    const id = uid('evt');
    const a = await post({ id, alerts: [{ n: 1 }] }, { query: `?workflowId=${wf}` });
    const b = await post({ id, alerts: [{ n: 1 }] }, { query: `?workflowId=${wf}` });
    expect(b.body).toEqual(a.body);
    const bareId = uid('bare');
    const c = await post({ id: bareId, host: { name: 'x' } }, { query: `?workflowId=${wf}` });
    const d = await post({ id: bareId, host: { name: 'x' } }, { query: `?workflowId=${wf}` });
    expect(d.body).toEqual(c.body);
    // another key name has its own scope
    const e = await post({ id, alerts: [{ n: 1 }] }, { query: `?workflowId=${wf}`, key: 'admin' });
    expect(e.body.executions[0].executionId).not.toBe(a.body.executions[0].executionId);
    expect((await executionIds(sys, wf)).length).toBe(before + 3);
  });

  it('gives concurrent duplicates the first answer: one execution', async () => {
    const before = (await executionIds(sys, wf)).length;
    const key = uid('concurrent');
    const answers = await Promise.all(Array.from({ length: 20 }, () => post({ alerts: [{ n: 1 }] }, { query: `?workflowId=${wf}`, headers: { 'Idempotency-Key': key } })));
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([202]));
    for (const r of answers) expect(r.body).toEqual(answers[0].body);
    expect((await executionIds(sys, wf)).length).toBe(before + 1);
  });

  it('answers 409 conflict when the first request with the key does not answer within 5 s', async () => {
    const key = uid('stuck');
    await sys.redis.client().set(`fg:idem:${KEY_NAMES.ingest}:a:${key}`, '__pending__', 'PX', 60_000);
    const t0 = Date.now();
    const r = await post({ alerts: [{}] }, { query: `?workflowId=${wf}`, headers: { 'Idempotency-Key': key } });
    expectError(r, 409, 'conflict');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4900);
  }, 15_000);
});

describe('POST /api/alerts/_bulk', () => {
  it('parses NDJSON: blank lines skipped but counted, errors by 1-based line, one execution per matching event', async () => {
    const wf = uid('bulk');
    const tag = uid('bt');
    await sys.putWorkflow(wf, alertWorkflow('Bulk', `rule.tags : ${tag}`));
    const lines = [
      JSON.stringify({ alerts: [{ host: { name: 'b1' }, rule: { tags: [tag] } }] }),
      '',
      '{"broken": ',
      JSON.stringify({ host: { name: 'b2' }, rule: { tags: [tag] } }),
      '   ',
      '[1,2]',
      JSON.stringify({ host: { name: 'no-match' }, rule: { tags: ['x'] } }),
    ];
    const r = await bulk(`${lines.join('\r\n')}\n`, { query: `?workflowId=${wf}` });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      accepted: 3,
      executions: 2,
      errors: [
        { line: 3, message: expect.stringContaining('JSON') },
        { line: 6, message: expect.stringContaining('object') },
      ],
    });
    const ids = await executionIds(sys, wf);
    expect(ids).toHaveLength(2);
    const hosts = (await Promise.all(ids.map((id) => sys.waitForExecution(id)))).map((e) => e.steps[0].output).sort();
    expect(hosts).toEqual(['b1', 'b2']);
  });

  it('starts many executions fast in batches', async () => {
    const wf = uid('many');
    await sys.putWorkflow(wf, alertWorkflow('Many'));
    const body = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ host: { name: `h${i}` } })).join('\n');
    const t0 = Date.now();
    const r = await bulk(body, { query: `?workflowId=${wf}` });
    expect(r.body).toEqual({ accepted: 1500, executions: 1500, errors: [] });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await executionIds(sys, wf)).toHaveLength(1500);
  }, 30_000);

  it('accepts 10,000 lines and answers 413 payload_too_large for 10,001', async () => {
    const ok = await bulk(Array(10_000).fill('{}').join('\n'), { query: '?workflowId=matches-nothing' });
    expect(ok.body).toEqual({ accepted: 10_000, executions: 0, errors: [] });
    const blanks = await bulk(`${Array(9_999).fill('{}').join('\n')}\n\n\n`, { query: '?workflowId=matches-nothing' });
    expectError(blanks, 413, 'payload_too_large'); // 10,001 lines: blank lines count
    expectError(await bulk(Array(10_001).fill('{}').join('\n')), 413, 'payload_too_large');
  });

  it('refuses a line nested deeper than 64 levels as that line\'s error (even 100,000 deep), and POST /api/alerts with such a body with 400', async () => {
    const wf = uid('deep');
    await sys.putWorkflow(wf, alertWorkflow('Deep'));
    const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const r = await bulk([JSON.stringify({ host: { name: 'ok' } }), deepArray, deepObject].join('\n'), { query: `?workflowId=${wf}` });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      accepted: 1,
      executions: 1,
      errors: [
        { line: 2, message: 'nested deeper than 64 levels' },
        { line: 3, message: 'nested deeper than 64 levels' },
      ],
    });
    for (const raw of [deepArray, deepObject, `{"alerts": [${'{"a":'.repeat(70)}1${'}'.repeat(70)}]}`]) {
      const single = await sys.request('POST', `/api/alerts?workflowId=${wf}`, { key: 'ingest', raw, headers: { 'content-type': 'application/json' } });
      expectError(single, 400, 'bad_request');
      expect(single.body.error.message).toContain('nested deeper than 64 levels');
    }
    expect(await executionIds(sys, wf)).toHaveLength(1);
  });

  it('dedupes lines by their id (within the request and across requests) and replays a repeated Idempotency-Key', async () => {
    const wf = uid('bulkidem');
    await sys.putWorkflow(wf, alertWorkflow('Bulk idem'));
    const id1 = uid('line');
    const id2 = uid('line');
    const body = [{ id: id1, host: { name: 'a' } }, { id: id1, host: { name: 'a' } }, { id: id2, host: { name: 'b' } }, { host: { name: 'no id' } }].map((l) => JSON.stringify(l)).join('\n');
    const first = await bulk(body, { query: `?workflowId=${wf}` });
    expect(first.body).toEqual({ accepted: 4, executions: 3, errors: [] });
    const second = await bulk(body, { query: `?workflowId=${wf}` });
    expect(second.body).toEqual({ accepted: 4, executions: 1, errors: [] }); // only the line without an id runs again
    // a line's id covers that event for the single endpoint too
    const single = await post({ id: id1, host: { name: 'a' } }, { query: `?workflowId=${wf}` });
    expect(single.body.executions).toHaveLength(1);
    expect(await executionIds(sys, wf)).toContain(single.body.executions[0].executionId);
    expect(await executionIds(sys, wf)).toHaveLength(4);

    const key = uid('bulkkey');
    const h1 = await bulk(JSON.stringify({ host: { name: 'c' } }), { query: `?workflowId=${wf}`, headers: { 'Idempotency-Key': key } });
    const h2 = await bulk(JSON.stringify({ host: { name: 'c' } }), { query: `?workflowId=${wf}`, headers: { 'Idempotency-Key': key } });
    expect(h1.body).toEqual({ accepted: 1, executions: 1, errors: [] });
    expect(h2.status).toBe(202);
    expect(h2.body).toEqual(h1.body);
    expect(await executionIds(sys, wf)).toHaveLength(5);
  });
});

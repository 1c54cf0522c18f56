/**
 * docs/api.md: the error format and codes, body limits, security headers, health, metrics and the UI's
 * static files (served from FLOWGATE_UI_DIR here, with the SPA fallback).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { System, consoleWorkflow, expectError, uid } from './util';

let sys: System;
const WF = uid('errors');
const UI = mkdtempSync(join(tmpdir(), 'fg-ui-'));
mkdirSync(join(UI, 'assets'));
writeFileSync(join(UI, 'index.html'), '<!doctype html><title>Flowgate UI</title><div id="root"></div>');
writeFileSync(join(UI, 'assets', 'app.js'), 'console.log("flowgate");');

beforeAll(async () => {
  sys = await System.start({ workers: 1, env: { FLOWGATE_UI_DIR: UI } });
  await sys.putWorkflow(WF, consoleWorkflow('errors'));
}, 60_000);
afterAll(async () => sys?.stop());

describe('error format', () => {
  it('answers unknown /api routes with a JSON 404, whatever the method', async () => {
    for (const [method, path] of [['GET', '/api/nope'], ['POST', '/api/workflows/x/nope'], ['DELETE', '/api/workflowExecutions'], ['GET', '/api']]) {
      const r = await sys.request(method, path);
      expectError(r, 404, 'not_found');
      expect(r.headers.get('content-type')).toContain('application/json');
    }
  });

  it('answers malformed JSON with 400 bad_request naming the problem', async () => {
    const r = await sys.request('POST', '/api/alerts', { key: 'ingest', raw: '{"alerts": [1, 2', headers: { 'content-type': 'application/json' } });
    expectError(r, 400, 'bad_request');
    expect(r.body.error.message).toMatch(/malformed JSON/);
    expect(r.body.error.message).toMatch(/position|end of JSON|Unexpected/i);
  });

  it('answers 404 for unknown ids, 400 for bad parameters, 409 for conflicts — all in the same format', async () => {
    expectError(await sys.request('GET', '/api/workflows/does-not-exist'), 404, 'not_found');
    expectError(await sys.request('GET', '/api/workflowExecutions/nope'), 404, 'not_found');
    expectError(await sys.request('GET', '/api/cases/nope'), 404, 'not_found');
    expectError(await sys.request('GET', '/api/workflowExecutions?limit=0'), 400, 'bad_request');
    const again = await sys.request('POST', '/api/workflows', { raw: consoleWorkflow('errors'), headers: { 'content-type': 'application/yaml' } });
    const twice = await sys.request('POST', '/api/workflows', { raw: consoleWorkflow('errors'), headers: { 'content-type': 'application/yaml' } });
    expect(again.status === 201 || again.status === 409).toBe(true);
    expectError(twice, 409, 'conflict');
  });
});

describe('body limits', () => {
  const alertOfSize = (bytes: number) => {
    const base = JSON.stringify({ alerts: [{ pad: '' }] });
    return JSON.stringify({ alerts: [{ pad: 'x'.repeat(bytes - base.length) }] });
  };

  it('accepts an alert of exactly 1 MiB and answers 413 payload_too_large beyond', async () => {
    const ok = alertOfSize(1024 * 1024);
    expect(Buffer.byteLength(ok)).toBe(1024 * 1024);
    expect((await sys.request('POST', `/api/alerts?workflowId=${WF}`, { key: 'ingest', raw: ok, headers: { 'content-type': 'application/json' } })).status).toBe(202);
    const big = alertOfSize(1024 * 1024 + 1);
    expectError(await sys.request('POST', `/api/alerts?workflowId=${WF}`, { key: 'ingest', raw: big, headers: { 'content-type': 'application/json' } }), 413, 'payload_too_large');
  });

  it('allows 16 MiB for _bulk and answers 413 beyond', async () => {
    const line = JSON.stringify({ pad: 'y'.repeat(4 * 1024 * 1024 - 20) });
    const four = `${line}\n${line}\n${line}\n`; // ~12 MiB, 3 lines
    const ok = await sys.request('POST', '/api/alerts/_bulk?workflowId=nothing-matches', { key: 'ingest', raw: four, headers: { 'content-type': 'application/x-ndjson' } });
    expect(ok.status).toBe(202);
    expect(ok.body).toEqual({ accepted: 3, executions: 0, errors: [] });
    const tooBig = `${four}${line}\n${line}\n`;
    expect(Buffer.byteLength(tooBig)).toBeGreaterThan(16 * 1024 * 1024);
    expectError(await sys.request('POST', '/api/alerts/_bulk', { key: 'ingest', raw: tooBig, headers: { 'content-type': 'application/x-ndjson' } }), 413, 'payload_too_large');
  });
});

describe('headers, health, metrics, UI', () => {
  it('sets Content-Security-Policy and nosniff on API answers and static files', async () => {
    for (const path of ['/api/workflows', '/', '/assets/app.js', '/executions/01HZZZZZZZZZZZZZZZZZZZZZZZ']) {
      const r = await sys.request('GET', path, { headers: { accept: 'text/html' } });
      // no <base> may move the UI's relative URLs, and forms post nowhere but the UI's own origin
      expect(r.headers.get('content-security-policy')).toBe("default-src 'self'; base-uri 'none'; form-action 'self'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers /api/health with {status: ok, redis: ok}', async () => {
    const r = await sys.request('GET', '/api/health', { key: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', redis: 'ok' });
  });

  it('serves Prometheus text on /metrics with fresh queue and wait gauges', async () => {
    const r = await fetch(`${sys.baseUrl}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = await r.text();
    expect(text).toMatch(/flowgate_queue_jobs\{queue="steps",state="waiting"\} \d+/);
    expect(text).toMatch(/flowgate_executions\{status="COMPLETED"\} \d+/);
    expect(text).toMatch(/flowgate_waiting_for_input \d+/);
    expect(text).toMatch(/flowgate_alerts_accepted_total \d+/);
  });

  it('serves the UI without a key, with index.html for client-side routes, never for /api', async () => {
    const root = await fetch(`${sys.baseUrl}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('Flowgate UI');
    const deep = await fetch(`${sys.baseUrl}/executions/01HZZZZZZZZZZZZZZZZZZZZZZZ`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('Flowgate UI');
    const asset = await fetch(`${sys.baseUrl}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    const missingAsset = await fetch(`${sys.baseUrl}/assets/missing.js`);
    expect(missingAsset.status).toBe(404);
    const api = await sys.request('GET', '/api/unknown', { key: null, headers: { accept: 'text/html' } });
    expectError(api, 404, 'not_found');
  });
});

/**
 * test/fixtures/standins/main.js as `flowgate up` runs it: a real child process whose ready line names
 * the Slack and SMTP stand-ins and their `/_received` URLs, and whose connectors.yaml makes
 * slack-demo, slack-api-demo and mail-demo reach them (through the real senders), then SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnectorsFile, postSlackMessage, sendEmail, sendSlackWebhook, type ConnectorRegistry } from '@flowgate/connectors';

const MAIN = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'standins', 'main.js');

let child: ChildProcess;
let ready: Record<string, string>;
let registry: ConnectorRegistry;
let file: string;

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'fg-standins-')), 'connectors.yaml');
  child = spawn(process.execPath, [MAIN, '--connectors', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  ready = await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('no ready line within 20 s')), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.includes('"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => reject(new Error(`main.js exited with ${code}`)));
  });
  registry = loadConnectorsFile(file, {});
}, 30_000);

afterAll(async () => {
  await registry?.close();
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
  }
});

test('the ready line names the Slack and SMTP stand-ins', () => {
  expect(ready).toMatchObject({
    ready: true,
    slack: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/services\/T0FLOWGATE\/B0STANDIN\/standin-webhook-secret$/),
    slackApi: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/api$/),
    slackReceived: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/_received$/),
    smtp: expect.stringMatching(/^smtp:\/\/127\.0\.0\.1:\d+$/),
    smtpReceived: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/_received$/),
    connectors: file,
  });
  expect(readFileSync(file, 'utf8')).toContain('slack-api-demo:');
});

test("the generated connectors reach the stand-ins; /_received lists what they got", async () => {
  await sendSlackWebhook(registry.require('slack-demo', 'slack', 'test'), { text: 'via webhook' });
  const posted = await postSlackMessage(registry.require('slack-api-demo', 'slack_api', 'test'), { channel: 'C0DEMO', text: 'via chat.postMessage' });
  await sendEmail(registry.require('mail-demo', 'email', 'test'), { to: ['oncall@example.com'], subject: 'demo', text: 'text part http://localhost:8080/x', html: '<p>html part</p>' });

  const slack = (await (await fetch(ready.slackReceived)).json()) as { messages: { kind: string; channel: string | null; text: string; ts: string | null }[] };
  expect(slack.messages.map((m) => [m.kind, m.channel, m.text])).toEqual([
    ['webhook', null, 'via webhook'],
    ['chat.postMessage', 'C0DEMO', 'via chat.postMessage'],
  ]);
  expect(slack.messages[1].ts).toBe(posted.ts);

  const mail = (await (await fetch(ready.smtpReceived)).json()) as { messages: Record<string, unknown>[] };
  expect(mail.messages).toEqual([
    expect.objectContaining({ from: 'flowgate@localhost', to: ['oncall@example.com'], subject: 'demo', html: '<p>html part</p>', links: ['http://localhost:8080/x'] }),
  ]);

  // DELETE /_received forgets them
  await fetch(ready.slackReceived, { method: 'DELETE' });
  await fetch(ready.smtpReceived, { method: 'DELETE' });
  expect(((await (await fetch(ready.slackReceived)).json()) as { messages: unknown[] }).messages).toEqual([]);
  expect(((await (await fetch(ready.smtpReceived)).json()) as { messages: unknown[] }).messages).toEqual([]);
});

test('SIGTERM closes every stand-in and exits 0', async () => {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 15_000);

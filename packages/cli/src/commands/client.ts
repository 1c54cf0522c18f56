import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { localAdminKey } from '../local-state';

/** A small client of the HTTP API for the commands that talk to a running Flowgate (docs/operations.md "Configuration"). */
export class ApiClient {
  constructor(readonly baseUrl: string, readonly key: string | null) {}

  static fromEnv(): ApiClient {
    const url = (process.env.FLOWGATE_URL || `http://localhost:${process.env.FLOWGATE_PORT || 7070}`).replace(/\/$/, '');
    return new ApiClient(url, process.env.FLOWGATE_API_KEY || localAdminKey(false));
  }

  async call(method: string, path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = {};
    if (this.key) headers.authorization = `ApiKey ${this.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new Error(`cannot reach Flowgate at ${this.baseUrl} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}); is it running? Set FLOWGATE_URL.`);
    }
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const e = parsed?.error;
      const details = e?.details?.length ? `\n${e.details.map((d: any) => `  - ${d.path ?? ''} ${d.message ?? JSON.stringify(d)}`).join('\n')}` : '';
      throw new Error(`${res.status} ${e?.code ?? ''}: ${e?.message ?? text}${details}`);
    }
    return parsed;
  }
}

function parseJsonArg(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    process.stderr.write(`flowgate: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

export function registerClientCommands(program: Command): void {
  program
    .command('run <workflow>')
    .description('start a manual run of a workflow')
    .option('--inputs <json>', 'the inputs, as JSON', '{}')
    .action((workflow: string, opts: { inputs: string }) =>
      run(async () => print(await ApiClient.fromEnv().call('POST', `/api/workflows/${encodeURIComponent(workflow)}/run`, { inputs: parseJsonArg(opts.inputs, '--inputs') }))),
    );
  program
    .command('alert <file>')
    .description('post an alert event (a JSON file) to /api/alerts')
    .action((file: string) => run(async () => print(await ApiClient.fromEnv().call('POST', '/api/alerts', parseJsonArg(readFileSync(file, 'utf8'), file)))));
  program
    .command('executions')
    .description('list executions, newest first')
    .option('--status <statuses>', 'comma-separated statuses, e.g. waiting_for_input')
    .option('--workflow <id>', 'only this workflow')
    .option('--limit <n>', 'how many', '20')
    .action((opts: { status?: string; workflow?: string; limit: string }) =>
      run(async () => {
        const q = new URLSearchParams({ limit: opts.limit });
        if (opts.status) q.set('status', opts.status);
        if (opts.workflow) q.set('workflowId', opts.workflow);
        const { results } = await ApiClient.fromEnv().call('GET', `/api/workflowExecutions?${q}`);
        for (const r of results) {
          const waiting = r.waitingFor ? `  waiting at ${r.waitingFor.step}: ${r.waitingFor.title}` : '';
          process.stdout.write(`${r.id}  ${r.status.padEnd(17)}  ${r.workflowId}  ${r.createdAt}${waiting}\n`);
        }
        if (results.length === 0) process.stdout.write('no executions\n');
      }),
    );
  program
    .command('show <id>')
    .description('show one execution with its steps')
    .action((id: string) => run(async () => print(await ApiClient.fromEnv().call('GET', `/api/workflowExecutions/${encodeURIComponent(id)}`))));
  program
    .command('resume <id>')
    .description('answer a waiting execution')
    .requiredOption('--input <json>', 'the answer, a JSON object')
    .option('--step <path>', 'only if the execution waits at this step')
    .action((id: string, opts: { input: string; step?: string }) =>
      run(async () => {
        const q = opts.step ? `?step=${encodeURIComponent(opts.step)}` : '';
        print(await ApiClient.fromEnv().call('POST', `/api/workflowExecutions/${encodeURIComponent(id)}/resume${q}`, parseJsonArg(opts.input, '--input')));
      }),
    );
  program
    .command('cancel <id>')
    .description('cancel an execution')
    .action((id: string) => run(async () => print(await ApiClient.fromEnv().call('POST', `/api/workflowExecutions/${encodeURIComponent(id)}/cancel`))));
}

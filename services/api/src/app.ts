import express, { type Express } from 'express';
import type { ExecutionArchive, Logger, Runtime } from '@flowgate/executor';
import { IdempotencyStore } from '@flowgate/store';
import type { Metrics, SharedMetrics } from '@flowgate/telemetry';
import { trustProxy, type ProxyRange } from './address';
import { Authenticator, FailureLimiter, IngestLimiter } from './auth';
import type { AlertCandidates } from './candidates';
import type { ApiKeyEntry } from './config';
import { ApiError, apiNotFound, errorHandler, notFound, sendError } from './errors';
import { Ingestor } from './ingest';
import type { PressureMonitor } from './pressure';
import { alertsRouter } from './routes/alerts';
import { casesRouter } from './routes/cases';
import { executionsRouter } from './routes/executions';
import { healthRouter } from './routes/health';
import { sessionRouter } from './routes/session';
import { externalRouter } from './routes/external';
import { answersRouter } from './routes/answers';
import { standinsRouter } from './routes/standins';
import { slackRouter, type SlackSigningSecret } from './routes/slack';
import { workflowsRouter } from './routes/workflows';
import { securityHeaders, uiRouter } from './static';
import type { WorkflowService } from './workflow-service';

export interface AppDeps {
  rt: Runtime;
  keys: ApiKeyEntry[];
  metrics: Metrics;
  /** cluster-wide step and execution counters (written by every process, shown by /metrics) */
  shared?: SharedMetrics;
  workflows: WorkflowService;
  candidates: AlertCandidates;
  log: Logger;
  /** false until workflows are loaded: /api/health answers 503 meanwhile */
  ready: () => boolean;
  idempotencyTtlMs?: number;
  rateLimitIngest?: number | null;
  /** the built UI; absent or missing: no UI is served */
  uiDir?: string | null;
  failures?: FailureLimiter;
  /** backpressure: refuses new alerts and runs while Redis is nearly full or the backlog too long */
  pressure?: PressureMonitor;
  /** FLOWGATE_ARCHIVE: where executions that left Redis are read back from (docs/operations.md "Archive") */
  archive?: ExecutionArchive | null;
  /** FLOWGATE_TRUSTED_PROXIES: whose X-Forwarded-For makes `req.ip` (none: the socket's address) */
  trustedProxies?: ProxyRange[];
  /** FLOWGATE_METRICS_KEY: the key /metrics requires (none: /metrics is open) */
  metricsKey?: string | null;
  /** FLOWGATE_EXTERNAL_RESUME: answer links are served (default true) */
  externalResume?: boolean;
  /** the signing secrets of slack_api connectors (Slack button clicks) */
  slackSecrets?: SlackSigningSecret[];
  /** FLOWGATE_STANDIN_URLS: the local stand-ins' /_received URLs (`flowgate up`) */
  standinUrls?: string[];
}

/** The express app of docs/api.md, built from its dependencies (tests build it too). */
export function createApp(deps: AppDeps): Express {
  const { rt, metrics, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.set('query parser', 'simple');
  // req.ip, everywhere: the right-most address of X-Forwarded-For that is not a trusted proxy, or the
  // socket's address when it is not a trusted proxy itself (docs/api.md "Authentication and roles").
  app.set('trust proxy', trustProxy(deps.trustedProxies ?? []));

  const auth = new Authenticator({ keys: deps.keys, failures: deps.failures });
  const ingestor = new Ingestor({
    rt,
    candidates: deps.candidates,
    idempotency: new IdempotencyStore(rt.redis, rt.keys),
    idempotencyTtlMs: deps.idempotencyTtlMs ?? 24 * 3_600_000,
    onAccepted: (n) => metrics.alertsAccepted.inc(n),
  });
  const limiter = deps.rateLimitIngest ? new IngestLimiter(deps.rateLimitIngest) : null;

  app.use(securityHeaders);
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(healthRouter({ rt, metrics, shared: deps.shared, ready: deps.ready, pressure: deps.pressure, archive: deps.archive, metricsKey: deps.metricsKey }));
  app.use('/api', (_req, res, next) => {
    if (deps.ready()) return next();
    res.setHeader('Retry-After', '1');
    sendError(res, new ApiError('unavailable', 'starting: workflows are being loaded; retry shortly'));
  });
  const admit = deps.pressure?.admit;
  app.use(alertsRouter({ auth, ingestor, limiter, admit }));
  app.use(workflowsRouter({ rt, auth, workflows: deps.workflows, admit }));
  app.use(sessionRouter({ auth }));
  app.use(answersRouter({ rt, auth }));
  app.use(standinsRouter({ auth, urls: deps.standinUrls ?? [] }));
  if (deps.externalResume !== false) {
    app.use(externalRouter({ rt }));
    app.use(slackRouter({ rt, secrets: deps.slackSecrets ?? [] }));
  }
  app.use(executionsRouter({ rt, auth, archive: deps.archive, admit }));
  app.use(casesRouter({ rt, auth }));
  app.use('/api', apiNotFound);

  const ui = deps.uiDir ? uiRouter(deps.uiDir) : null;
  if (ui) app.use(ui);
  app.use((req, res) => sendError(res, notFound(`no such page: ${req.path}`)));
  app.use(errorHandler(log, { onOutOfMemory: () => void deps.pressure?.poll() }));
  return app;
}

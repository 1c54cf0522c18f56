/**
 * The chaos soak (docs/reliability.md): docs/semantics.md "Guarantees" under a worker killed every
 * 2 s, a Redis restart and a 10 s Redis outage, with clients that retry as real ones must.
 *
 * `npm test` runs a short soak (300 alerts, about a minute and a half). The long one, by hand:
 *   FLOWGATE_CHAOS_ALERTS=5000 pnpm exec jest test/chaos
 * (build first: `pnpm exec turbo run build`; it spawns the API and the workers from dist/).
 */
import { runSoak, soakOptionsFromEnv, soakTable } from './soak';

const options = soakOptionsFromEnv();

it(`${options.alerts} alerts through kill -9 every ${options.killEveryMs / 1000} s, a Redis restart and a ${options.outageMs / 1000} s outage: nothing lost, stuck or committed twice`, async () => {
  const r = await runSoak({ ...options, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`\nchaos soak, ${options.alerts} alerts:\n${soakTable(r)}\n`);
  process.stdout.write(`step attempts: ${JSON.stringify(r.stepAttempts)}\nstatuses: ${JSON.stringify(r.statuses)}\nAPI during the outage: ${JSON.stringify(r.outageApiAnswers)}\n`);
  if (r.evidence.length > 0) process.stdout.write(`evidence:\n${r.evidence.join('\n')}\n`);

  // The chaos happened.
  expect(r.restarts).toBe(1);
  expect(r.outages).toBe(1);
  expect(r.kills).toBeGreaterThanOrEqual(Math.floor(options.windowMs / options.killEveryMs) - 1);
  expect(r.sender.status503).toBeGreaterThan(0);
  expect(Object.keys(r.outageApiAnswers).filter((k) => !k.startsWith('503'))).toEqual([]);

  // Nothing lost, nothing stuck, nothing done twice that must be done once.
  const problems = {
    lost: r.lost.slice(0, 10),
    stuck: r.stuck.slice(0, 10),
    doubleStarted: r.doubleStarted.slice(0, 10),
    steps: r.stepProblems.slice(0, 10),
    deliveries: r.deliveryProblems.slice(0, 10),
    indexes: r.indexProblems,
    sender: r.sender.other.slice(0, 10),
    reviewer: r.reviewer.anomalies.slice(0, 10),
    workers: r.workerExits,
    api: r.apiExits,
  };
  expect(problems).toEqual({ lost: [], stuck: [], doubleStarted: [], steps: [], deliveries: [], indexes: [], sender: [], reviewer: [], workers: [], api: [] });
  expect(r.alertsAccepted).toBe(options.alerts);
  expect(r.executions).toBe(options.alerts + Math.ceil(options.alerts / 3));
  // Every execution's http step was delivered (at least once); repeats carry the same key.
  expect(r.deliveries).toBeGreaterThanOrEqual(options.alerts);
}, Math.max(180_000, options.windowMs * 3 + options.settleMs + 120_000));

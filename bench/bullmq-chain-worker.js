// Baseline worker: a chain of bare BullMQ jobs, each adding the next (what one engine step costs at least).
const { Worker, Queue } = require('bullmq');
const IORedis = require('ioredis');
const connection = new IORedis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('chain', { connection, prefix: 'bench' });
const concurrency = Number(process.env.CONCURRENCY || 50);
new Worker(
  'chain',
  async (job) => {
    const { chain, step, length } = job.data;
    if (step + 1 < length) await queue.add('c', { chain, step: step + 1, length }, { jobId: `${chain}#${step + 1}`, removeOnComplete: true });
    else await connection.incr('bench:chains-done');
  },
  { connection: connection.duplicate(), prefix: 'bench', concurrency },
);

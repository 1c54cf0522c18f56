import pino from 'pino';

/** JSON log lines on stdout (docs/operations.md "Configuration"), one logger per service. FLOWGATE_LOG_LEVEL tunes it. */
export function createLogger(service: string, level = process.env.FLOWGATE_LOG_LEVEL || 'info') {
  return pino({ name: service, level, base: { service, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type FlowgateLogger = ReturnType<typeof createLogger>;

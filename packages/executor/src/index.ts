/**
 * @flowgate/executor — runs executions (docs/architecture.md): a step job from its gate to its
 * commit, timer jobs, start, resume, cancel, the reconciler and schedules, all sharing one Runtime.
 */
export * from './runtime';
export * from './abort-registry';
export * from './transitions';
export * from './process-step';
export * from './timers';
export * from './cancel';
export * from './resume';
export * from './start';
export * from './reconciler';
export * from './from-env';
export * from './schedules';
export * from './retention';
export * from './view';
export * from './archive';
export * from './archive-sweep';
export * from './rerun';
export * from './external-resume';
export * from './notify';
export * from './summary';
export * from './wait-context';
export * from './composition';

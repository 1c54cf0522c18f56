export * from './keys';
export * from './scripts';
export * from './execution-codec';
export * from './execution-store';
export * from './workflow-store';
export * from './case-store';
export * from './idempotency';
export * from './multi-slot';

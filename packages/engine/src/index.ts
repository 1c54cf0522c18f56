export * from './errors';
export * from './paths';
export * from './status';
export * from './plan';
export * from './advance';
export * from './records';
export * from './context';
export * from './step-type';

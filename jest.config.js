/** One jest run over the whole workspace: unit tests next to each package, end-to-end tests in test/. */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@flowgate/(template|condition|workflow-format|engine|store|queue|steps|executor|connectors|telemetry)$': '<rootDir>/packages/$1/src' },
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/services/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
  // Coverage is collected when asked (`--coverage`, which scripts/test.sh passes): the engine, the pure
  // core, must keep every branch covered. The key is a directory (trailing "/": all its files together);
  // jest resolves it against the working directory, hence absolute. A summary only, so that jest's own
  // summary stays the last lines of the run.
  coverageProvider: 'v8',
  collectCoverageFrom: ['packages/engine/src/**/*.ts'],
  coverageReporters: ['text-summary'],
  coverageThreshold: { [`${__dirname}/packages/engine/src/`]: { branches: 100, functions: 100, lines: 100, statements: 100 } },
  maxWorkers: 2,
  // End-to-end tests own child processes and sockets; never let a stray handle hang CI.
  forceExit: true,
};

/**
 * Type checking runs once, in `npm test` before jest (tsc, incremental); tests are only transpiled, with
 * esbuild (test/support/esbuild-transform.js).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.js' },
  testTimeout: 120000,
  // Two workers on two cores: many tests wait on a child process (synth, kubeconform, git) most of the time.
  maxWorkers: 2,
};

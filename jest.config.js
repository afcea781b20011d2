const { accessSync, constants, statfsSync } = require('node:fs');

/**
 * Type checking runs once, in `npm test` before jest (tsc --build, incremental); tests are only transpiled, with
 * esbuild (test/support/esbuild-transform.js).
 */

// Tests copy dist/ into scratch folders (Workspace) and remove them again. On a disk mounted with `discard`
// (this repository's CI machines) removing one copy took over a second; in memory it takes milliseconds. So
// scratch folders go to /dev/shm when it is a writable tmpfs and TMPDIR does not say otherwise.
const TMPFS_MAGIC = 0x01021994;
if (!process.env.TMPDIR) {
  try {
    accessSync('/dev/shm', constants.W_OK);
    if (statfsSync('/dev/shm').type === TMPFS_MAGIC) process.env.TMPDIR = '/dev/shm';
  } catch {
    // no /dev/shm here: os.tmpdir() as it is
  }
}

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.js' },
  testTimeout: 120000,
  // Two workers on two cores: many tests wait on a child process (synth, kubeconform, git) most of the time.
  maxWorkers: 2,
};

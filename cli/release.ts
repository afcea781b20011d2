import { runRelease } from './release-command';

/** `npm run release -- <set|promote|status>`: see cli/release-command.ts and docs/releases.md. */
process.exitCode = runRelease(process.argv.slice(2));

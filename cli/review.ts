import { runReview } from './review-command';

/** `npm run review -- render --pr <n> --out <dir>`: see cli/review-command.ts and docs/review-environments.md. */
process.exitCode = runReview(process.argv.slice(2));

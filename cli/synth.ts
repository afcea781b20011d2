import { runSynth } from './synth-command';

/**
 * `npm run synth [-- --env <name>...]`: renders every environment (or the named ones) into `dist/<env>/` and
 * its Argo CD objects into `argocd/<env>/`. Everything is rendered and checked in memory first; only then,
 * holding a lock, is the output swapped in all at once. Bad input prints what to change and exits 1 with both
 * untouched; bad arguments exit 2.
 */
process.exitCode = runSynth(process.argv.slice(2));

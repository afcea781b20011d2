// The baseline: the same synthetic app the way `cdk8s synth` renders by default (one App, App.synth()).
// Run by `npx cdk8s synth --app "npx ts-node bench/cdk8s-app.ts"`, which sets CDK8S_OUTDIR.
import { synthOneApp } from '../lib/render/cdk8s-app';
import { benchEnvironments, benchReleases, servicesFromEnv, syntheticPlatform } from './synthetic-platform';

const environments = benchEnvironments();
synthOneApp([syntheticPlatform(servicesFromEnv())], environments, process.env.CDK8S_OUTDIR, benchReleases(environments));

// Entry point for `cdk8s synth` (see cdk8s.yaml): every environment into cdk8s.out/ through one cdk8s App.
// `npm run synth` renders the same charts faster and into dist/; this stays for cdk8s tooling compatibility.
import { PLATFORMS } from './charts';
import { ENVIRONMENTS } from './environments';
import { synthOneApp } from './lib/render/cdk8s-app';

synthOneApp(PLATFORMS, ENVIRONMENTS);

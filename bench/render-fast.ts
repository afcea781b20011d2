// One measured run of the project's render path: one App per chart, in-process YAML, atomic folder swap.
import { loadEnvironment } from '../environments';
import { renderEnvironment } from '../lib/render/build';
import { toYaml } from '../lib/render/serialize';
import { replaceFolder } from '../lib/render/write';
import { benchEnvironments, servicesFromEnv, syntheticPlatform } from './synthetic-platform';

const out = process.argv[2];
const platform = syntheticPlatform(servicesFromEnv());
for (const input of benchEnvironments()) {
  const env = loadEnvironment(input);
  const files = renderEnvironment(env, [platform]);
  replaceFolder(out, env.name, new Map(files.map((f) => [f.path.slice(env.name.length + 1), toYaml(f.objects)])));
}

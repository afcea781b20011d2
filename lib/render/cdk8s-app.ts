import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { loadEnvironment, LoadOptions } from '../../environments';
import type { EnvironmentInput } from '../../environments/schema';
import type { PlatformDefinition } from '../platform';
import { buildEnvironment, ScopeFactory } from './build';

/**
 * The same charts in one cdk8s App, the way `cdk8s synth` renders an app by default: every chart under one
 * root, synthesised by `App.synth()` into `cdk8s.out/`. Kept so `cdk8s synth` works and as the baseline of
 * `npm run bench`; `npm run synth` is the fast path.
 */
export function synthOneApp(
  platforms: readonly PlatformDefinition[],
  environments: readonly EnvironmentInput[],
  outdir?: string,
  /** Each environment's releases by its name. @default the committed releases/<env>.json */
  releases?: ReadonlyMap<string, LoadOptions['releases']>,
): App {
  const app = new App(outdir ? { outdir } : {});
  const scopes = new Map<string, Construct>();
  const scopeFor: ScopeFactory = (env, folder) => {
    const key = `${env}/${folder}`;
    let scope = scopes.get(key);
    if (!scope) {
      const envScope = (app.node.tryFindChild(env) as Construct | undefined) ?? new Construct(app, env);
      scope = new Construct(envScope, folder);
      scopes.set(key, scope);
    }
    return scope;
  };
  for (const input of environments) buildEnvironment(loadEnvironment(input, undefined, undefined, { releases: releases?.get(input.name) }), platforms, scopeFor);
  app.synth();
  return app;
}

import type { ImagePolicy } from '../image';
import { describe, KubeObject, RenderedFile } from '../kube-object';
import { Finding, PolicyInput, PolicyRule, RULES } from './rules';

/** Annotation through which one object opts out of one rule: `policy.platform-manifests.io/exempt-<rule>: <reason>`. */
export const EXEMPTION_PREFIX = 'policy.platform-manifests.io/exempt-';
const MIN_REASON_LENGTH = 15;

export interface Violation {
  readonly rule: string;
  readonly file: string;
  readonly object: string;
  readonly message: string;
}

export interface Exemption {
  readonly rule: string;
  readonly file: string;
  readonly object: string;
  readonly reason: string;
}

export interface PolicyReport {
  readonly violations: readonly Violation[];
  readonly exemptions: readonly Exemption[];
}

/** The annotation that exempts an object from a rule. */
export function exemption(rule: string, reason: string): Record<string, string> {
  return { [`${EXEMPTION_PREFIX}${rule}`]: reason };
}

/**
 * Checks every rendered object of every environment against the production rules. Each environment is a
 * cluster of its own, so references (PDBs, NetworkPolicies, Services) resolve within it.
 */
export function checkPolicies(files: readonly RenderedFile[], imagePolicies: ReadonlyMap<string, ImagePolicy>, rules: readonly PolicyRule[] = RULES): PolicyReport {
  const violations: Violation[] = [];
  const exemptions: Exemption[] = [];
  const byEnvironment = new Map<string, { file: string; object: KubeObject }[]>();
  for (const file of files) {
    const env = file.path.split('/')[0];
    const list = byEnvironment.get(env) ?? [];
    list.push(...file.objects.map((object) => ({ file: file.path, object })));
    byEnvironment.set(env, list);
  }
  for (const [environment, objects] of byEnvironment) {
    const input: PolicyInput = { environment, immutableImages: imagePolicies.get(environment) === 'immutable', objects };
    for (const { file, object } of objects) {
      for (const [key, reason] of Object.entries(object.metadata.annotations ?? {})) {
        if (!key.startsWith(EXEMPTION_PREFIX)) continue;
        const rule = key.slice(EXEMPTION_PREFIX.length);
        if (!rules.some((r) => r.id === rule)) {
          violations.push({ rule, file, object: describe(object), message: `opts out of unknown rule '${rule}' (rules: ${rules.map((r) => r.id).join(', ')})` });
        } else if (reason.trim().length < MIN_REASON_LENGTH) {
          violations.push({ rule, file, object: describe(object), message: `opts out of ${rule} without a reason (the annotation's value must say why)` });
        }
      }
    }
    for (const rule of rules) {
      const seen = new Set<KubeObject>();
      for (const finding of rule.check(input)) {
        const reason = finding.object.metadata.annotations?.[`${EXEMPTION_PREFIX}${rule.id}`];
        if (reason !== undefined && reason.trim().length >= MIN_REASON_LENGTH) {
          if (!seen.has(finding.object)) exemptions.push({ rule: rule.id, file: finding.file, object: describe(finding.object), reason });
          seen.add(finding.object);
        } else {
          violations.push(toViolation(rule.id, finding));
        }
      }
    }
  }
  return { violations, exemptions };
}

function toViolation(rule: string, f: Finding): Violation {
  return { rule, file: f.file, object: describe(f.object), message: f.message };
}

export function formatViolations(report: PolicyReport): string {
  return report.violations.map((v) => `  - [${v.rule}] ${v.file}: ${v.object}: ${v.message}`).join('\n');
}

import { SYNC_WAVE_ANNOTATION } from '../kinds';
import { MANAGED_BY } from '../labels';

/** Label every Argo CD object carries with the environment it belongs to. */
export const ENVIRONMENT_LABEL = 'platform-manifests/environment';

export function argoLabels(env: string, name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: env };
}

export function waveAnnotation(wave: number): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}

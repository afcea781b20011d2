import { ConfigError, ErrorSubject } from './errors';

/** A container image, pinned by tag, digest or both. */
export interface ImageReference {
  /** Registry and repository, e.g. `public.ecr.aws/docker/library/mysql`. */
  readonly repository: string;
  /** Tag such as `8.4.3`; never `latest`. */
  readonly tag?: string;
  /** Content digest `sha256:...`; wins over the tag when both are set. */
  readonly digest?: string;
}

/** `pinned`: any tag but `latest`, or a digest. `immutable`: a digest or a MAJOR.MINOR.PATCH tag. */
export type ImagePolicy = 'pinned' | 'immutable';

const SEMVER_TAG = /^v?\d+\.\d+\.\d+([-.][0-9A-Za-z.-]+)?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Checks an image against the environment's policy and returns the reference to render.
 * @param subject whom the error names: the environment and the component
 * @param unpinned what to say when neither tag nor digest is given @default that the image is not pinned
 */
export function resolveImage(
  image: ImageReference,
  policy: ImagePolicy,
  subject: ErrorSubject,
  setIn = 'the release in releases/<env>.json (services) or dataStores.<name>.image in environments/ (data stores)',
  unpinned?: string,
): string {
  const fix = `set ${setIn}`;
  if (!image.repository || /[:@]/.test(image.repository.split('/').pop() ?? '')) {
    throw new ConfigError(subject, `image.repository must be a repository without tag or digest, got '${image.repository}'`);
  }
  if (image.digest !== undefined && !DIGEST.test(image.digest)) {
    throw new ConfigError(subject, `image.digest must be sha256:<64 hex digits>, got '${image.digest}'`);
  }
  if (image.tag === undefined && image.digest === undefined) {
    throw new ConfigError(subject, `${unpinned ?? `image ${image.repository} has neither a tag nor a digest; pin it (${fix})`}`);
  }
  if (image.tag !== undefined && (image.tag === 'latest' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(image.tag))) {
    throw new ConfigError(subject, `image.tag '${image.tag}' is not allowed: use a version tag or a digest, never 'latest' (${fix})`);
  }
  if (policy === 'immutable' && image.digest === undefined && !SEMVER_TAG.test(image.tag ?? '')) {
    throw new ConfigError(
      subject,
      `image.tag '${image.tag}' is mutable; this environment demands a digest or a MAJOR.MINOR.PATCH tag (${fix})`,
    );
  }
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}

/** The version label: the tag when there is one, otherwise the digest. */
export function imageVersion(image: ImageReference): string {
  return image.tag ?? image.digest ?? '';
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, type Any } from './helpers';

/** Every workflow pins its actions by commit SHA: a tag can be moved to other code. */
test.each(['pr.yml', 'review.yml'])('%s pins every action by a full commit SHA, with the tag in a comment', (file) => {
  const text = readFileSync(join(ROOT, '.github/workflows', file), 'utf8');
  const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)];
  expect(uses.length).toBeGreaterThan(1);
  for (const [, action, comment] of uses) expect(`${action}${comment}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
});

/** The pull-request workflow: pinned actions, least privilege, supported runtimes, every check. */
describe('.github/workflows/pr.yml', () => {
  const workflow: Any = parse(readFileSync(join(ROOT, '.github/workflows/pr.yml'), 'utf8'));
  const jobs = Object.entries(workflow.jobs as Record<string, Any>);
  const steps = jobs.flatMap(([, job]) => job.steps as Any[]);

  test('every action is pinned by a full commit SHA, with the tag in a comment', () => {
    const text = readFileSync(join(ROOT, '.github/workflows/pr.yml'), 'utf8');
    const uses = steps.filter((s) => s.uses).map((s) => s.uses as string);
    expect(uses.length).toBeGreaterThan(5);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    for (const u of uses) expect(text).toMatch(new RegExp(`${u.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} # v\\d+\\.\\d+\\.\\d+`));
  });

  test('only the job that comments may write to the pull request, and it runs no checked-out code', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const writers = jobs.filter(([, job]) => Object.values(job.permissions ?? {}).includes('write')).map(([name]) => name);
    expect(writers).toEqual(['comment']);
    const comment = workflow.jobs.comment;
    expect(comment.permissions).toEqual({ 'pull-requests': 'write' });
    expect((comment.steps as Any[]).some((s) => s.run || /checkout/.test(s.uses ?? ''))).toBe(false);
  });

  test('checkouts keep no credentials; Node and Go are supported releases', () => {
    const checkouts = steps.filter((s) => /^actions\/checkout@/.test(s.uses ?? ''));
    expect(checkouts.length).toBe(2);
    for (const c of checkouts) expect(c.with['persist-credentials']).toBe(false);
    expect(Number(workflow.env.NODE_VERSION)).toBeGreaterThanOrEqual(22);
    for (const s of steps.filter((x) => /^actions\/setup-go@/.test(x.uses ?? ''))) expect(s.with['go-version-file']).toBe('tools/apiserver/go.mod');
  });

  test('it runs the tests, kubeconform, the API-server check and the diff against the merge base', () => {
    const runs = steps.map((s) => String(s.run ?? '')).join('\n');
    expect(runs).toMatch(/npm test/);
    expect(runs).toMatch(/npm run validate\n/);
    expect(runs).toMatch(/npm run validate:server/);
    expect(runs).toMatch(/npm run --silent diff -- --base "origin\/\$BASE_REF"/);
    expect(runs).not.toMatch(/KUBECONFORM_SCHEMAS/);
  });
});

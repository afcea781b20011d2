import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffTrees, formatDiffMarkdown } from '../lib/review/manifest-diff';
import { prependTopology, topologySection } from '../lib/diagrams/topology-diff';
import { exitWithUsage, parseCommandLine } from './args';
import { listFiles } from '../lib/render/write';

const FOLDERS = ['dist', 'argocd'];

const spec = {
  usage: 'npm run diff -- [--base <git ref>] [--tip] [--out <file.md>]',
  description:
    'What a change does to the rendered manifests: compares the YAML of dist/ and argocd/ committed at the merge\n' +
    'base of HEAD and the base branch with the working tree (run `npm run synth` first) and prints, per environment\n' +
    'and platform, the destructive changes first, then the objects added, removed or changed and their fields, as\n' +
    'Markdown for a pull-request comment.',
  options: {
    base: { type: 'string', value: '<git ref>', help: 'the branch the change goes into (default: origin/main, else main)' },
    tip: { type: 'boolean', help: "compare with the base's tip instead of its merge base with HEAD" },
    out: { type: 'string', value: '<file.md>', help: 'write the Markdown to a file instead of stdout' },
  },
} as const;

/**
 * `npm run diff`: the rendered-manifest diff of a branch. Like a pull request, it compares with the merge base
 * by default, so changes that landed on the base branch meanwhile do not show up as reverted here.
 * Above the objects: the topology changes in words (docs/platforms/topology.json at the base against the
 * working tree's, lib/diagrams/topology-diff.ts).
 */
function main(): number {
  const { values } = parseCommandLine(spec);
  const root = git(['rev-parse', '--show-toplevel']).trim();
  const baseRef = (values.base as string | undefined) ?? ['origin/main', 'main'].find((r) => gitOrNull(root, ['rev-parse', '--verify', '--quiet', `${r}^{commit}`]));
  if (!baseRef) exitWithUsage(spec, 'neither origin/main nor main exists here: pass --base <git ref>');
  const tip = gitOrNull(root, ['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`]);
  if (!tip) {
    console.error(`diff: '${baseRef}' is not a commit here — fetch it first (e.g. git fetch origin main) or pass another --base`);
    return 2;
  }
  let commit = tip.trim();
  let label = baseRef;
  if (!values.tip) {
    const mergeBase = gitOrNull(root, ['merge-base', commit, 'HEAD']);
    if (!mergeBase) {
      console.error(`diff: '${baseRef}' and HEAD have no common ancestor; pass --tip to compare with its tip`);
      return 2;
    }
    commit = mergeBase.trim();
    if (commit !== tip.trim()) label = `${baseRef} (merge base ${commit.slice(0, 12)})`;
  }
  const base = committedTree(root, commit);
  const head = new Map<string, string>();
  for (const folder of FOLDERS) {
    for (const file of listFiles(join(root, folder))) head.set(`${folder}/${file}`, readFileSync(join(root, folder, file), 'utf8'));
  }
  // Topology changes in words first (lib/diagrams/topology-diff.ts), then the objects.
  const markdown = prependTopology(formatDiffMarkdown(diffTrees(base, head), { base: label }), topologySection(root, commit, label));
  if (values.out) writeFileSync(values.out as string, markdown);
  else process.stdout.write(markdown);
  return 0;
}

function git(args: string[], cwd = process.cwd(), input?: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', input, maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function gitOrNull(cwd: string, args: string[]): string | null {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

/** The YAML files of dist/ and argocd/ at a commit, read with one `git cat-file --batch`. */
function committedTree(root: string, commit: string): Map<string, string> {
  const paths = git(['ls-tree', '-r', '-z', '--name-only', commit, '--', ...FOLDERS], root)
    .split('\0')
    .filter((p) => /\.ya?ml$/.test(p));
  const tree = new Map<string, string>();
  if (paths.length === 0) return tree;
  const r = spawnSync('git', ['cat-file', '--batch'], { cwd: root, input: paths.map((p) => `${commit}:${p}\n`).join(''), maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git cat-file --batch failed: ${r.stderr.toString().trim()}`);
  const out = r.stdout as Buffer;
  let offset = 0;
  for (const path of paths) {
    const headerEnd = out.indexOf(0x0a, offset);
    const header = out.subarray(offset, headerEnd).toString('utf8');
    const size = Number(header.split(' ')[2]);
    if (!/ blob \d+$/.test(header)) throw new Error(`git cat-file: unexpected answer for ${path}: ${header}`);
    tree.set(path, out.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    offset = headerEnd + 1 + size + 1;
  }
  return tree;
}

process.exitCode = main();

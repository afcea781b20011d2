import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { diffTrees, formatDiffMarkdown } from '../argocd/manifest-diff';
import { prependTopology, topologySection } from '../diagrams/topology-diff';
import { listFiles } from '../render/write';

const FOLDERS = ['dist', 'argocd'];

/**
 * `npm run diff -- --base <git ref> [--out file.md]`: what a change does to the rendered manifests. Compares
 * the YAML committed at the base ref with the working tree's `dist/` and `argocd/` (run `npm run synth`
 * first) and prints, per environment and platform, the objects added, removed or changed and the fields
 * that changed, as Markdown for a pull-request comment; above them, the topology changes in words
 * (docs/platforms/topology.json at the base against the working tree's).
 */
function main(): number {
  const { values } = parseArgs({
    options: { base: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: false,
  });
  if (!values.base) {
    console.error('usage: npm run diff -- --base <git ref> [--out <file.md>]   (e.g. --base origin/main)');
    return 2;
  }
  const root = git(['rev-parse', '--show-toplevel']).trim();
  const commit = gitOrNull(root, ['rev-parse', '--verify', '--quiet', `${values.base}^{commit}`]);
  if (!commit) {
    console.error(`diff: '${values.base}' is not a commit here — fetch it first (e.g. git fetch origin main) or pass another --base`);
    return 2;
  }
  const base = committedTree(root, commit.trim());
  const head = new Map<string, string>();
  for (const folder of FOLDERS) {
    for (const file of listFiles(join(root, folder))) head.set(`${folder}/${file}`, readFileSync(join(root, folder, file), 'utf8'));
  }
  // Topology changes in words first (lib/diagrams/topology-diff.ts), then the objects.
  const markdown = prependTopology(formatDiffMarkdown(diffTrees(base, head), { base: values.base }), topologySection(root, commit.trim(), values.base));
  if (values.out) writeFileSync(values.out, markdown);
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

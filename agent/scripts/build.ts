/**
 * Builds the production artifact of the node agent: one ES module bundle for Node 20,
 * `agent/dist/ballast-agent.mjs`, that the DaemonSet image runs as
 *
 *   node --max-semi-space-size=1 --max-old-space-size=48 agent/dist/ballast-agent.mjs
 *
 * (AGENT_NODE_FLAGS below; bench/agent.ts runs it with the same flags). Modules loaded only
 * on some paths (the Kubernetes client for the pod watch) are split into chunks beside it,
 * so an agent that never watches pods never reads them. Nothing is external: the bundle and
 * its chunks are the whole program (Node's built-ins aside).
 *
 *   npm run build:agent            (or: node --import tsx agent/scripts/build.ts [--metafile])
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * V8 flags for the agent: a 1 MiB young generation (semi-space) instead of 16 MiB, and an old
 * generation capped at 48 MiB. The agent's live heap is a few MiB; the default young
 * generation alone is most of its RSS. Measured in bench/agent.ts (see bench/results/agent.json).
 */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=48'];

const AGENT_DIR = fileURLToPath(new URL('../', import.meta.url));
export const BUNDLE_DIR = join(AGENT_DIR, 'dist');
export const BUNDLE_PATH = join(BUNDLE_DIR, 'ballast-agent.mjs');

/** Builds the bundle; returns its path. */
export async function buildAgent(options: { metafile?: boolean; entry?: string } = {}): Promise<string> {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const result = await build({
    // Another entry only for experiments (bench:agent --agent-entry); the artifact is src/main.ts.
    entryPoints: { 'ballast-agent': options.entry ?? join(AGENT_DIR, 'src/main.ts') },
    nodePaths: options.entry ? [join(AGENT_DIR, '../node_modules')] : [],
    outdir: BUNDLE_DIR,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: 'external',
    // Keep class and function names: logs and error names (KubeConfigError, CgroupFileError) carry them.
    keepNames: true,
    legalComments: 'linked',
    metafile: options.metafile ?? false,
    // CommonJS dependencies (grpc-js, systeminformation) call require() on built-ins.
    banner: {
      js: "import { createRequire as __ballastCreateRequire } from 'node:module'; const require = __ballastCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  if (result.metafile) writeFileSync(join(BUNDLE_DIR, 'meta.json'), JSON.stringify(result.metafile));
  return BUNDLE_PATH;
}

function sizeOf(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? sizeOf(p) : e.name.endsWith('.map') ? 0 : statSync(p).size;
  }
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = await buildAgent({ metafile: process.argv.includes('--metafile') });
  const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  process.stdout.write(`built ${path} (${kib(statSync(path).size)}; ${kib(sizeOf(BUNDLE_DIR))} with its chunks, source maps excluded)\n`);
}

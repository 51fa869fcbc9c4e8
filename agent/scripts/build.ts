/**
 * Builds the production artifact of the node agent: one ES module bundle for Node 20,
 * `agent/dist/ballast-agent.mjs`, that the DaemonSet image runs as
 *
 *   node --max-semi-space-size=1 --max-old-space-size=48 --single-threaded --v8-pool-size=1 agent/dist/ballast-agent.mjs
 *
 * (AGENT_NODE_FLAGS below; bench/agent.ts, docker/agent.Dockerfile and the DaemonSet use the
 * same flags). Modules loaded only
 * on some paths are split into chunks beside it and read only when that path is taken: the
 * Kubernetes client (`@kubernetes/client-node`, at the first cordon or drain), the NATS
 * client (transport=nats) and the YAML parser (a kubeconfig file). Nothing is external: the
 * bundle and its chunks are the whole program (Node's built-ins aside).
 *
 *   npm run build:agent            (or: node --import tsx agent/scripts/build.ts [--metafile])
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * V8 flags for the agent, measured in bench/agent.ts (bench/results/agent.json):
 * - `--max-semi-space-size=1`: a 1 MiB young generation instead of 16 MiB; the agent's live
 *   heap is ~12 MiB and the default young generation alone was most of its RSS.
 * - `--max-old-space-size=48`: a cap well above that heap, so a leak stops the agent (and the
 *   kubelet restarts it) before it takes memory from the node's workloads.
 * - `--single-threaded --v8-pool-size=1`: garbage collection and optimizing compilation on the
 *   main thread instead of four helper threads: ~5 MiB less RSS (their stacks and malloc
 *   arenas) for no more CPU in total; the agent's pauses stay a few milliseconds.
 */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=48', '--single-threaded', '--v8-pool-size=1'];

const AGENT_DIR = fileURLToPath(new URL('../', import.meta.url));
export const BUNDLE_DIR = join(AGENT_DIR, 'dist');
export const BUNDLE_PATH = join(BUNDLE_DIR, 'ballast-agent.mjs');

/**
 * `@grpc/proto-loader` (with protobufjs, long and lodash.camelcase, ~150 KB) is required by
 * grpc-js only to serve the channelz admin service, which the agent never registers; it was
 * parsed on every start for nothing. A stub that says so stands in for it.
 */
const noProtoLoader: Plugin = {
  name: 'no-proto-loader',
  setup(b) {
    b.onResolve({ filter: /^@grpc\/proto-loader$/ }, () => ({ path: 'proto-loader', namespace: 'ballast-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'ballast-stub' }, () => ({
      contents: "throw new Error('@grpc/proto-loader is not in the agent bundle (grpc-js needs it only for channelz admin services)');",
      loader: 'js',
    }));
  },
};

/** Builds the bundle into `outDir` (default agent/dist, emptied first); returns the bundle's path. */
export async function buildAgent(options: { metafile?: boolean; entry?: string; outDir?: string } = {}): Promise<string> {
  const outDir = options.outDir ?? BUNDLE_DIR;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    // Another entry only for experiments (bench:agent --agent-entry); the artifact is src/main.ts.
    entryPoints: { 'ballast-agent': options.entry ?? join(AGENT_DIR, 'src/main.ts') },
    nodePaths: options.entry ? [join(AGENT_DIR, '../node_modules')] : [],
    outdir: outDir,
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
    // CommonJS dependencies (grpc-js) call require() on built-ins.
    banner: {
      js: "import { createRequire as __ballastCreateRequire } from 'node:module'; const require = __ballastCreateRequire(import.meta.url);",
    },
    plugins: [noProtoLoader],
    logLevel: 'warning',
  });
  if (result.metafile) writeFileSync(join(outDir, 'meta.json'), JSON.stringify(result.metafile));
  return join(outDir, 'ballast-agent.mjs');
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

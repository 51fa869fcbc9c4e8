import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NODE_FLAGS, buildAgent } from '../scripts/build.ts';
import { tempDirs } from './pipeline/temp-dirs.ts';

// The resident size target (64 MiB) holds only while the big optional clients stay out of
// what the agent loads at start: these are the checks that keep them out.
describe('the agent bundle', () => {
  const dirs = tempDirs('bundle');
  let bundle: string;
  let meta: Metafile;

  beforeAll(async () => {
    const dir = dirs.make();
    bundle = await buildAgent({ metafile: true, outDir: dir });
    meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Metafile;
  });
  afterAll(() => dirs.removeAll());

  /** Every input in the outputs the entry reaches through static imports, i.e. what `node bundle` evaluates at start. */
  function startupInputs(): string[] {
    const entry = Object.keys(meta.outputs).find((o) => o.endsWith('ballast-agent.mjs')) as string;
    const seen = new Set<string>();
    const visit = (out: string) => {
      if (seen.has(out)) return;
      seen.add(out);
      for (const i of meta.outputs[out]?.imports ?? []) if (i.kind === 'import-statement' && meta.outputs[i.path]) visit(i.path);
    };
    visit(entry);
    return [...seen].flatMap((o) => Object.keys(meta.outputs[o]?.inputs ?? {}));
  }

  it('loads neither the Kubernetes client, nor NATS, nor the YAML parser at start', () => {
    const inputs = startupInputs();
    expect(inputs.some((i) => i.includes('src/transport/grpc-transport.ts'))).toBe(true);
    const heavy = [
      'node_modules/@kubernetes/client-node/',
      'node_modules/@nats-io/',
      'node_modules/js-yaml/',
      'kube/src/',
      'node_modules/protobufjs/',
    ];
    for (const h of heavy) expect(inputs.filter((i) => i.includes(h))).toEqual([]);
  });

  it('keeps them in chunks that the agent imports when it needs them', () => {
    const dynamic = Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
    const reached = (pkg: string) => dynamic.some((d) => Object.keys(meta.outputs[d]?.inputs ?? {}).some((i) => i.includes(pkg)));
    expect(reached('src/actions/kube-access.ts')).toBe(true);
    expect(reached('src/transport/nats-transport.ts')).toBe(true);
  });

  it('runs under plain node with the DaemonSet flags', () => {
    const help = execFileSync(process.execPath, [...AGENT_NODE_FLAGS, bundle, '--help'], { encoding: 'utf8' });
    expect(help).toContain('--hub-address');
    expect(help).toContain('--container-pressure');
  });

  it('is started with the same V8 flags everywhere it ships: image, DaemonSet and npm script', () => {
    const repo = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
    const line = ['node', ...AGENT_NODE_FLAGS];
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(repo('docker/agent.Dockerfile'))?.[1] ?? '[]';
    expect(JSON.parse(entrypoint)).toEqual([...line, '/app/agent/dist/ballast-agent.mjs']);
    const ds = load(repo('deploy/daemonset/daemonset.yaml')) as {
      spec: { template: { spec: { containers: { name: string; command?: string[] }[] } } };
    };
    const agent = ds.spec.template.spec.containers.find((c) => c.name === 'agent');
    expect(agent?.command).toEqual([...line, '/app/agent/dist/ballast-agent.mjs']);
    const pkg = JSON.parse(repo('agent/package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start:bundle']).toBe([...line, 'dist/ballast-agent.mjs'].join(' '));
  });
});

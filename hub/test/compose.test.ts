import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_CONFIG } from '../../agent/src/config/agent-config.ts';
import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, type FieldSpec, loadConfig } from '../../common/src/config-loader.ts';
import { SIM_CONFIG } from '../../sim/src/sim-config.ts';
import { HUB_CONFIG } from '../src/config/hub-config.ts';

/**
 * docker-compose.yml, docker/*.Dockerfile and .dockerignore, checked without a Docker engine:
 * the compose file by the real `docker-compose config` (its schema validation and
 * interpolation), and the Dockerfiles as text. Every environment variable and flag given to a
 * Ballast program must be one of its settings, and the values must load.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const DOCKER_DIR = join(ROOT, 'docker');

/** The settings of the program each Dockerfile's image runs. */
const PROGRAMS: Record<string, Record<string, FieldSpec>> = {
  'docker/hub.Dockerfile': HUB_CONFIG,
  'docker/agent.Dockerfile': AGENT_CONFIG,
  'docker/sim.Dockerfile': SIM_CONFIG,
};
/** Variables a Ballast container may set that are no Ballast setting. */
const NON_BALLAST_ENV = new Set(['NODE_ENV', 'NODE_OPTIONS', 'TZ']);

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string; disable?: boolean };
  ports?: Array<{ target: number; published?: number | string } | string>;
  networks?: Record<string, unknown> | string[];
  volumes?: unknown[];
  ulimits?: Record<string, unknown>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return null;
}

const DOCKER_COMPOSE = findOnPath('docker-compose');

/** `docker-compose -f FILE config`, in an environment without the user's CLICKHOUSE_* overrides. */
function composeConfig(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!DOCKER_COMPOSE) throw new Error('docker-compose not found on PATH: apt-get install docker-compose (.ci/run does)');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  return new Promise((resolve) => {
    execFile(DOCKER_COMPOSE, ['--project-directory', ROOT, '-f', file, 'config'], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// ---- Dockerfiles as text ------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | null;
  instructions: Instruction[];
}
interface Dockerfile {
  globalArgs: Map<string, string>;
  stages: Stage[];
}

function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) pending += `${line.slice(0, -1)} `;
    else {
      logical.push(pending + line);
      pending = '';
    }
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] as string).toUpperCase();
    const args = (m[2] as string).trim();
    if (op === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`unreadable FROM: ${args}`);
      stages.push({ from: from[1] as string, name: from[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      if (op === 'ARG') {
        const [k, v] = args.split('=', 2);
        globalArgs.set((k as string).trim(), (v ?? '').trim());
      }
    } else (stages.at(-1) as Stage).instructions.push({ op, args });
  }
  return { globalArgs, stages };
}

function resolveArgs(value: string, args: Map<string, string>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get((a ?? b) as string) ?? '');
}

/** Names in ENV instructions (`ENV A=1 B=2` and the old `ENV A 1`). */
function envNames(args: string): string[] {
  if (!args.includes('=')) return [args.split(/\s+/)[0] as string];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1] as string);
}

/** An exact version tag (at least major.minor.patch) or a digest; never `latest` or a bare major. */
function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon === -1) return false;
  const tag = image.slice(colon + 1);
  return tag !== 'latest' && /^v?\d+\.\d+\.\d+/.test(tag);
}

const dockerfiles = Object.fromEntries(
  readdirSync(DOCKER_DIR)
    .filter((f) => f.endsWith('.Dockerfile'))
    .map((f) => [`docker/${f}`, parseDockerfile(readFileSync(join(DOCKER_DIR, f), 'utf8'))]),
) as Record<string, Dockerfile>;

function finalStage(name: string): Stage {
  return (dockerfiles[name] as Dockerfile).stages.at(-1) as Stage;
}

function stageNamed(df: Dockerfile, name: string): Stage | undefined {
  return df.stages.find((s) => s.name === name);
}

/** The stage and every stage it is built FROM, nearest first. */
function lineage(df: Dockerfile, stage: Stage): Stage[] {
  const out = [stage];
  for (let s = stageNamed(df, stage.from); s && !out.includes(s); s = stageNamed(df, s.from)) out.push(s);
  return out;
}

// ---- the compose file ---------------------------------------------------------------------

let compose: Compose;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ballast-compose-'));
  const res = await composeConfig(COMPOSE_FILE);
  if (res.code !== 0) throw new Error(`docker-compose config rejected docker-compose.yml:\n${res.stderr}`);
  compose = load(res.stdout) as Compose;
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function dockerfileOf(service: Service): string | undefined {
  return service.build ? (service.build.dockerfile ?? 'Dockerfile') : undefined;
}

function commandOf(service: Service): string[] {
  if (service.command === undefined) return [];
  if (typeof service.command === 'string') throw new Error('use the exec (list) form of command, so flags are not word-split by a shell');
  return service.command;
}

function envOf(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function networksOf(service: Service): string[] {
  const n = service.networks ?? [];
  return Array.isArray(n) ? n : Object.keys(n);
}

function ballastServices(): Array<[string, Service, Record<string, FieldSpec>]> {
  return Object.entries(compose.services).flatMap(([name, s]) => {
    const program = PROGRAMS[dockerfileOf(s) ?? ''];
    return program ? [[name, s, program] as [string, Service, Record<string, FieldSpec>]] : [];
  });
}

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose config, which refuses a misspelt key', async () => {
    expect(Object.keys(compose.services).sort()).toEqual(['agents', 'agents-nats', 'clickhouse', 'hub', 'nats', 'sim']);
    // The same file with one key misspelt must fail, or the check above proves nothing.
    const broken = join(scratch, 'docker-compose.yml');
    writeFileSync(broken, readFileSync(COMPOSE_FILE, 'utf8').replace('start_period:', 'start_perod:'));
    const res = await composeConfig(broken);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('start_perod');
  });

  it('pins every image to an exact version or digest, in the file and in every Dockerfile it builds', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.image !== undefined) expect(isPinned(s.image), `${name}: ${s.image}`).toBe(true);
      else expect(s.build, `${name} has neither image nor build`).toBeDefined();
      const dockerfile = dockerfileOf(s);
      if (dockerfile !== undefined) expect(Object.keys(dockerfiles), `${name} builds ${dockerfile}`).toContain(dockerfile);
    }
    for (const [file, df] of Object.entries(dockerfiles)) {
      const stageNames = new Set(df.stages.map((s) => s.name));
      for (const stage of df.stages) {
        const image = resolveArgs(stage.from, df.globalArgs);
        if (!stageNames.has(image)) expect(isPinned(image), `${file}: FROM ${stage.from} (${image})`).toBe(true);
      }
    }
    expect(isPinned('clickhouse/clickhouse-server:latest')).toBe(false);
    expect(isPinned('nats:2.14-alpine')).toBe(false);
    expect(isPinned('localhost:5000/nats')).toBe(false);
  });

  it('gives the hub, the agents and the simulator only their own settings, with values that load', () => {
    const services = ballastServices();
    expect(services.map(([n]) => n).sort()).toEqual(['agents', 'agents-nats', 'hub', 'sim']);
    for (const [name, s, spec] of services) {
      const known = new Set([CONFIG_FILE_ENV, ...Object.values(spec).flatMap((f) => f.env)]);
      for (const key of Object.keys(envOf(s))) {
        expect(known.has(key) || NON_BALLAST_ENV.has(key), `${name}: environment ${key} is no setting of its program`).toBe(true);
      }
      const flags = new Set([CONFIG_FILE_FLAG, ...Object.values(spec).map((f) => f.flag)]);
      for (const arg of commandOf(s).filter((a) => a.startsWith('--'))) {
        const flag = arg.slice(2).split('=')[0] as string;
        expect(flags.has(flag), `${name}: ${arg} is no flag of its program`).toBe(true);
      }
      expect(() => loadConfig(spec, commandOf(s), envOf(s)), name).not.toThrow();
    }
  });

  it('wires the hub to ClickHouse and NATS, and the agents to the hub (gRPC) or to NATS', () => {
    const { clickhouse, hub, agents, nats, 'agents-nats': agentsNats } = compose.services as Record<string, Service>;
    const hubConfig = loadConfig(HUB_CONFIG, commandOf(hub as Service), envOf(hub as Service));
    expect(hubConfig.store).toBe('clickhouse');
    const url = new URL(hubConfig.clickhouseUrl);
    expect(url.hostname).toBe('clickhouse');
    expect(url.port).toBe('8123');
    const ch = envOf(clickhouse as Service);
    expect(hubConfig.clickhouseUser).toBe(ch.CLICKHOUSE_USER);
    expect(hubConfig.clickhousePassword).toBe(ch.CLICKHOUSE_PASSWORD);
    expect(hubConfig.clickhouseDatabase).toBe(ch.CLICKHOUSE_DB);
    expect(hubConfig.clickhouseDatabase).not.toBe('default');

    expect(hubConfig.natsUrl).toBe('nats://nats:4222');

    const agentConfig = loadConfig(AGENT_CONFIG, commandOf(agents as Service), envOf(agents as Service));
    expect(agentConfig.transport).toBe('grpc');
    expect(agentConfig.hubAddress).toBe(`hub:${hubConfig.grpcPort}`);
    expect(agentConfig.imdsEndpoint).toBe('off');
    const natsAgentConfig = loadConfig(AGENT_CONFIG, commandOf(agentsNats as Service), envOf(agentsNats as Service));
    expect(natsAgentConfig.transport).toBe('nats');
    expect(natsAgentConfig.natsUrl).toBe(hubConfig.natsUrl);
    expect(natsAgentConfig.imdsEndpoint).toBe('off');

    const targets = (hub?.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':').at(-1)) : p.target));
    expect(targets).toContain(hubConfig.httpPort);
    expect(targets).toContain(hubConfig.grpcPort);
    for (const other of [clickhouse, nats, agents]) {
      expect(networksOf(other as Service).some((n) => networksOf(hub as Service).includes(n))).toBe(true);
    }
    expect(networksOf(agentsNats as Service).some((n) => networksOf(nats as Service).includes(n))).toBe(true);
    // Data stores are not published: only the hub reaches them.
    expect(clickhouse?.ports ?? []).toEqual([]);
    expect(nats?.ports ?? []).toEqual([]);
  });

  it('runs ClickHouse and NATS with volumes, ClickHouse with raised nofile, and NATS with JetStream on disk', () => {
    const { clickhouse, nats } = compose.services as Record<string, Service>;
    expect(JSON.stringify(clickhouse?.volumes)).toContain(':/var/lib/clickhouse');
    expect(clickhouse?.ulimits?.nofile).toEqual({ soft: 262144, hard: 262144 });
    const cmd = commandOf(nats as Service);
    expect(cmd).toContain('-js');
    expect(cmd.slice(cmd.indexOf('-sd'), cmd.indexOf('-sd') + 2)).toEqual(['-sd', '/data']);
    expect(JSON.stringify(nats?.volumes)).toContain(':/data');
    expect(JSON.stringify(nats?.healthcheck?.test)).toContain(':8222/healthz');
  });

  it('waits only on services that report health', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const deps = s.depends_on ?? {};
      if (Array.isArray(deps)) continue;
      for (const [dep, { condition }] of Object.entries(deps)) {
        if (condition !== 'service_healthy') continue;
        const target = compose.services[dep] as Service;
        const df = dockerfileOf(target);
        const imageCheck = df !== undefined && finalStage(df).instructions.some((i) => i.op === 'HEALTHCHECK' && !/^NONE\b/i.test(i.args));
        expect(target.healthcheck !== undefined || imageCheck, `${name} waits for ${dep}, which has no healthcheck`).toBe(true);
      }
    }
    expect(compose.services.hub?.depends_on).toMatchObject({
      clickhouse: { condition: 'service_healthy' },
      nats: { condition: 'service_healthy' },
    });
  });
});

describe('docker/*.Dockerfile', () => {
  it('exist for the hub, the agent and the simulator', () => {
    expect(Object.keys(dockerfiles).sort()).toEqual(Object.keys(PROGRAMS).sort());
  });

  it('are multi-stage and end in a non-root USER', () => {
    for (const [file, df] of Object.entries(dockerfiles)) {
      expect(df.stages.length, file).toBeGreaterThanOrEqual(2);
      const users = finalStage(file).instructions.filter((i) => i.op === 'USER');
      expect(users.length, `${file}: no USER in the final stage`).toBeGreaterThan(0);
      const [user, group] = (users.at(-1) as Instruction).args.split(':');
      expect(user, file).toBe('65532');
      expect(group ?? '65532', file).toBe('65532');
    }
  });

  it('keep dev dependencies out of the final stage', () => {
    for (const [file, df] of Object.entries(dockerfiles)) {
      for (const copy of finalStage(file).instructions.filter((i) => i.op === 'COPY' && /node_modules/.test(i.args))) {
        const from = /--from=(\S+)/.exec(copy.args)?.[1];
        expect(from, `${file}: node_modules copied from the build context`).toBeDefined();
        const source = stageNamed(df, from as string);
        expect(source, `${file}: --from=${from} is no stage`).toBeDefined();
        const runs = lineage(df, source as Stage).flatMap((s) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args));
        expect(
          runs.some((r) => /npm (ci|prune)\b[^&;]*--omit=dev/.test(r)),
          `${file}: node_modules from ${from}, where no npm ci/prune --omit=dev ran`,
        ).toBe(true);
      }
    }
  });

  it('run only npm scripts that exist', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
    );
    for (const [file, df] of Object.entries(dockerfiles)) {
      for (const run of df.stages.flatMap((s) => s.instructions.filter((i) => i.op === 'RUN'))) {
        for (const m of run.args.matchAll(/npm run (\S+)/g)) expect(scripts, `${file}: npm run ${m[1]}`).toContain(m[1]);
      }
    }
  });

  it('set only real settings in ENV and label the images (OCI)', () => {
    for (const [file, spec] of Object.entries(PROGRAMS)) {
      const known = new Set([CONFIG_FILE_ENV, ...Object.values(spec).flatMap((f) => f.env)]);
      const final = finalStage(file);
      for (const env of final.instructions.filter((i) => i.op === 'ENV')) {
        for (const name of envNames(env.args)) expect(known.has(name) || NON_BALLAST_ENV.has(name), `${file}: ENV ${name}`).toBe(true);
      }
      const labels = final.instructions
        .filter((i) => i.op === 'LABEL')
        .map((i) => i.args)
        .join(' ');
      for (const key of ['title', 'description', 'version', 'revision', 'created'])
        expect(labels, file).toContain(`org.opencontainers.image.${key}=`);
      expect(
        final.instructions.some((i) => i.op === 'ENTRYPOINT'),
        `${file}: ENTRYPOINT`,
      ).toBe(true);
    }
  });

  it('give the hub a readiness HEALTHCHECK and expose its HTTP and gRPC ports', () => {
    const final = finalStage('docker/hub.Dockerfile');
    const checks = final.instructions.filter((i) => i.op === 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    expect(checks[0]?.args).toContain('/health/ready');
    const exposed = final.instructions.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toEqual(expect.arrayContaining(['8080', '9400']));
  });
});

describe('.dockerignore', () => {
  it('keeps installed, stored and scratch files out of the build context', () => {
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const dir of ['node_modules', '.data', '.tmp']) {
      expect(patterns.includes(dir) || patterns.includes(`**/${dir}`), dir).toBe(true);
    }
    // Workspace installs too (hub/node_modules, …), not only the root one.
    expect(patterns).toContain('**/node_modules');
    expect(
      patterns.some((p) => p.startsWith('!')),
      'no re-includes',
    ).toBe(false);
  });
});

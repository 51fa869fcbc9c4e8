import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_CONFIG } from '../../../agent/src/config/agent-config.ts';
import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, type FieldSpec, loadConfig } from '../../../common/src/config-loader.ts';
import { HUB_CONFIG } from '../../../hub/src/config/hub-config.ts';
import { ScaledClock } from '../../src/core/sim-clock.ts';
import { R } from '../../src/kube/resources.ts';
import type { KubeObject, Pod } from '../../src/kube/types.ts';
import { kubectl, startTestCluster, type TestCluster, until } from './helpers.ts';

/**
 * `kubectl apply -k deploy/daemonset` against the simulated API server: the manifests
 * must apply with kubectl's default (strict) validation, give one agent pod per node, and
 * say what deploy/README.md says they say.
 */
const DEPLOY_DIR = fileURLToPath(new URL('../../../deploy/daemonset', import.meta.url));
const README = fileURLToPath(new URL('../../../deploy/README.md', import.meta.url));
const AGENT_BENCH = fileURLToPath(new URL('../../../bench/results/agent.json', import.meta.url));
const NS = 'ballast-system';

/** The brief's minimum, written out independently of the YAML and the README. */
const MINIMUM_RULES = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  ports?: Array<{ name: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  securityContext?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  resources?: Record<string, Record<string, string>>;
}
interface PodSpecShape {
  containers: Container[];
  initContainers?: Container[];
  volumes: Array<{ name: string; hostPath?: { path: string; type: string }; configMap?: { name: string } }>;
  [field: string]: unknown;
}

const newClock = () => new ScaledClock(Date.parse('2025-01-01T00:00:00Z'), 1);

/** `[group, resource, sorted verbs]` per rule, sorted, to compare rule sets whatever their order. */
function normalise(rules: Array<{ apiGroups?: string[]; resources?: string[]; verbs: string[] }>): string[] {
  const out: string[] = [];
  for (const r of rules)
    for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) out.push(`${g}|${res}|${[...r.verbs].sort().join(',')}`);
  return out.sort();
}

/** The RBAC table between the rbac-minimum markers of deploy/README.md. */
function readmeRules(): Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> {
  const text = readFileSync(README, 'utf8');
  const block = text.slice(text.indexOf('<!-- rbac-minimum:start -->'), text.indexOf('<!-- rbac-minimum:end -->'));
  const rows = block.split('\n').filter((l) => l.startsWith('| `'));
  return rows.map((row) => {
    const [group, resource, verbs] = row.split('|').slice(1, 4) as [string, string, string];
    const unquote = (s: string) => [...s.matchAll(/`([^`]*)`/g)].map((m) => (m[1] === '""' ? '' : (m[1] as string)));
    return { apiGroups: unquote(group), resources: unquote(resource), verbs: unquote(verbs) };
  });
}

function mebibytes(q: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`unexpected memory quantity ${q}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

function envMap(c: Container, configMap: Record<string, string>, nodeName: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName') env[e.name] = nodeName;
    else if (e.valueFrom?.configMapKeyRef) env[e.name] = configMap[e.valueFrom.configMapKeyRef.key] as string;
    else throw new Error(`env ${e.name}: unexpected source ${JSON.stringify(e.valueFrom)}`);
  }
  return env;
}

function knownNames(spec: Record<string, FieldSpec>): { flags: Set<string>; env: Set<string> } {
  const fields = Object.values(spec);
  return {
    flags: new Set([...fields.map((f) => f.flag), CONFIG_FILE_FLAG]),
    env: new Set([...fields.flatMap((f) => f.env), CONFIG_FILE_ENV]),
  };
}

describe('deploy/daemonset applied with real kubectl', () => {
  let c: TestCluster;
  let apply: Awaited<ReturnType<typeof kubectl>>;
  let tainted: string[];

  beforeAll(async () => {
    c = await startTestCluster(newClock(), 4);
    const names = c.nodes().map((n) => n.metadata.name as string);
    tainted = names.slice(0, 2);
    // A NoSchedule and a NoExecute taint: `operator: Exists` must tolerate both.
    const t1 = await kubectl(c.server.kubeconfigPath, ['taint', 'node', tainted[0] as string, 'dedicated=gpu:NoSchedule']);
    const t2 = await kubectl(c.server.kubeconfigPath, ['taint', 'node', tainted[1] as string, 'spot-reclaim=soon:NoExecute']);
    expect(t1.code, t1.stderr).toBe(0);
    expect(t2.code, t2.stderr).toBe(0);
    apply = await kubectl(c.server.kubeconfigPath, ['apply', '-k', DEPLOY_DIR], 60_000);
  });
  afterAll(async () => c?.close());

  it('applies cleanly with default validation, creating every object', () => {
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toBe('');
    for (const line of [
      `namespace/${NS} created`,
      'serviceaccount/ballast-agent created',
      'serviceaccount/ballast-hub created',
      'clusterrole.rbac.authorization.k8s.io/ballast-agent created',
      'clusterrolebinding.rbac.authorization.k8s.io/ballast-agent created',
      'configmap/ballast-agent created',
      'daemonset.apps/ballast-agent created',
      'deployment.apps/ballast-hub created',
      'service/ballast-hub created',
    ])
      expect(apply.stdout).toContain(line);
  });

  it('discovery lists the kinds the manifests use, and the built-in priority classes exist', async () => {
    const res = await kubectl(c.server.kubeconfigPath, ['api-resources', '-o', 'name']);
    expect(res.code, res.stderr).toBe(0);
    const names = res.stdout.trim().split('\n');
    for (const name of [
      'serviceaccounts',
      'configmaps',
      'services',
      'clusterroles.rbac.authorization.k8s.io',
      'clusterrolebindings.rbac.authorization.k8s.io',
      'roles.rbac.authorization.k8s.io',
      'rolebindings.rbac.authorization.k8s.io',
      'priorityclasses.scheduling.k8s.io',
      'daemonsets.apps',
      'deployments.apps',
    ])
      expect(names).toContain(name);
    const pcs = await kubectl(c.server.kubeconfigPath, ['get', 'priorityclasses', '-o', 'json']);
    const values = Object.fromEntries(
      (JSON.parse(pcs.stdout).items as Array<{ metadata: { name: string }; value: number }>).map((p) => [p.metadata.name, p.value]),
    );
    expect(values).toEqual({ 'system-cluster-critical': 2_000_000_000, 'system-node-critical': 2_000_001_000 });
  });

  it('is idempotent: a second apply changes nothing', async () => {
    const again = await kubectl(c.server.kubeconfigPath, ['apply', '-k', DEPLOY_DIR]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/created|configured/);
    expect(again.stdout.match(/unchanged/g)).toHaveLength(9);
  });

  it('runs one Running agent pod on every node, tainted ones included, at system-node-critical priority', async () => {
    const agents = () =>
      c.pods(NS).filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'ballast-agent' && p.status?.phase === 'Running');
    await until(() => agents().length === c.nodes().length);
    const pods = agents();
    const nodes = c
      .nodes()
      .map((n) => n.metadata.name)
      .sort();
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes);
    for (const name of tainted) expect(pods.some((p) => p.spec.nodeName === name)).toBe(true);
    for (const p of pods) {
      expect(p.spec.priority).toBe(2_000_001_000);
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'ballast-agent', controller: true });
      expect(p.metadata.labels?.['app.kubernetes.io/part-of']).toBe('ballast');
    }
    const got = await kubectl(c.server.kubeconfigPath, ['get', 'daemonset', '-n', NS, 'ballast-agent', '-o', 'json']);
    expect(JSON.parse(got.stdout).status).toMatchObject({ desiredNumberScheduled: 4, numberReady: 4 });
    await until(() => c.pods(NS).some((p: Pod) => p.metadata.labels?.['app.kubernetes.io/name'] === 'ballast-hub'));
  });

  it('stores the DaemonSet with the security context, probes, resources and mounts as written', async () => {
    const got = await kubectl(c.server.kubeconfigPath, ['get', 'daemonset', '-n', NS, 'ballast-agent', '-o', 'json']);
    expect(got.code, got.stderr).toBe(0);
    const ds = JSON.parse(got.stdout);
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } });
    const spec = ds.spec.template.spec as PodSpecShape;
    expect(spec).toMatchObject({
      serviceAccountName: 'ballast-agent',
      priorityClassName: 'system-node-critical',
      terminationGracePeriodSeconds: 30,
      hostNetwork: false,
      tolerations: [{ operator: 'Exists' }],
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    });
    const agent = spec.containers.find((x) => x.name === 'agent') as Container;
    expect(spec.containers).toHaveLength(1);
    expect(agent.image).toBe('ghcr.io/ballast/agent:0.1.0');
    expect(agent.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(agent.resources).toEqual({ requests: { cpu: '10m', memory: '96Mi' }, limits: { memory: '160Mi' } });
    // No CPU limit: throttling would slow a drain racing a spot notice.
    expect(agent.resources?.limits?.cpu).toBeUndefined();
    // The memory limit must hold the measured agent (bench:agent), or every agent is OOM-killed.
    if (existsSync(AGENT_BENCH)) {
      const rss = (JSON.parse(readFileSync(AGENT_BENCH, 'utf8')) as { agent_rss_mib: number }).agent_rss_mib;
      expect(mebibytes(agent.resources?.limits?.memory as string)).toBeGreaterThan(rss);
    }
    expect(agent.ports).toEqual([{ name: 'status', containerPort: 9465, protocol: 'TCP' }]);
    expect(agent.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'status' } });
    expect(agent.readinessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'status' } });

    const init = spec.initContainers?.[0] as Container;
    expect(init.securityContext).toMatchObject({
      runAsUser: 0,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['CHOWN'] },
    });
    expect(init.command?.join(' ')).toContain("fs.chownSync('/var/lib/ballast-agent', 65532, 65532)");

    const volumes = Object.fromEntries(spec.volumes.map((v) => [v.name, v]));
    const mounts = Object.fromEntries((agent.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    expect(volumes.buffer?.hostPath).toEqual({ path: '/var/lib/ballast-agent', type: 'DirectoryOrCreate' });
    expect(volumes.cgroup?.hostPath).toEqual({ path: '/sys/fs/cgroup', type: 'Directory' });
    expect(volumes.proc?.hostPath).toEqual({ path: '/proc', type: 'Directory' });
    expect(mounts['/host/sys/fs/cgroup']).toEqual({ name: 'cgroup', mountPath: '/host/sys/fs/cgroup', readOnly: true });
    expect(mounts['/host/proc']).toEqual({ name: 'proc', mountPath: '/host/proc', readOnly: true });
    expect(mounts['/var/lib/ballast-agent']?.readOnly).toBeUndefined();
    // Every hostPath but the buffer is mounted read-only.
    for (const m of agent.volumeMounts ?? []) if (volumes[m.name]?.hostPath && m.name !== 'buffer') expect(m.readOnly).toBe(true);
  });

  it('grants exactly the RBAC minimum that deploy/README.md lists, bound to the agent account', async () => {
    const got = await kubectl(c.server.kubeconfigPath, ['get', 'clusterrole', 'ballast-agent', '-o', 'json']);
    expect(got.code, got.stderr).toBe(0);
    const served = normalise(JSON.parse(got.stdout).rules);
    expect(served).toEqual(normalise(MINIMUM_RULES));
    expect(normalise(readmeRules())).toEqual(served);
    const binding = c.server.store.get(R.clusterRoleBindings, undefined, 'ballast-agent') as KubeObject;
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ballast-agent' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'ballast-agent', namespace: NS }]);
  });

  it('sets only real agent and hub settings, and the agent and hub configs load from them', () => {
    const cm = c.server.store.get(R.configMaps, NS, 'ballast-agent') as KubeObject & { data: Record<string, string> };
    const ds = c.server.store.get(R.daemonSets, NS, 'ballast-agent') as KubeObject & { spec: { template: { spec: PodSpecShape } } };
    const hubDeploy = c.server.store.get(R.deployments, NS, 'ballast-hub') as KubeObject & {
      spec: { template: { spec: PodSpecShape } };
    };
    const agent = ds.spec.template.spec.containers[0] as Container;
    const hub = hubDeploy.spec.template.spec.containers[0] as Container;

    for (const [container, spec] of [
      [agent, AGENT_CONFIG],
      [hub, HUB_CONFIG],
    ] as const) {
      const known = knownNames(spec);
      for (const e of container.env ?? []) expect(known.env, `${container.name} env ${e.name}`).toContain(e.name);
      for (const arg of container.args ?? []) {
        const flag = /^--([^=]+)/.exec(arg)?.[1];
        expect(flag, `${container.name} arg ${arg}`).toBeDefined();
        expect(known.flags, `${container.name} arg ${arg}`).toContain(flag);
      }
    }

    // The agent's config as the pod would load it: args, env (downward API and ConfigMap
    // resolved) and the ConfigMap's agent.json at the path BALLAST_CONFIG names.
    const dir = mkdtempSync(join(tmpdir(), 'ballast-deploy-'));
    try {
      const file = join(dir, 'agent.json');
      writeFileSync(file, cm.data['agent.json'] as string);
      const env = envMap(agent, cm.data, 'ip-10-0-0-9.ec2.internal');
      const configMount = agent.volumeMounts?.find((m) => m.name === 'config');
      expect(env[CONFIG_FILE_ENV]).toBe(`${configMount?.mountPath}/agent.json`);
      const config = loadConfig(AGENT_CONFIG, agent.args ?? [], { ...env, [CONFIG_FILE_ENV]: file });
      expect(config).toMatchObject({
        node: 'ip-10-0-0-9.ec2.internal',
        cluster: cm.data.cluster,
        hubAddress: 'ballast-hub.ballast-system.svc:9400',
        imdsEndpoint: 'http://169.254.169.254',
        statusHost: '0.0.0.0',
        statusPort: 9465,
        bufferDir: '/var/lib/ballast-agent',
        cgroupRoot: '/host/sys/fs/cgroup',
        procPressureRoot: '/host/proc/pressure',
        procNetDev: '/host/proc/1/net/dev',
      });
      // The paths the agent uses lie under the mounts that provide them.
      const mountPaths = (agent.volumeMounts ?? []).map((m) => m.mountPath);
      for (const path of [config.bufferDir, config.cgroupRoot, config.procPressureRoot, config.procNetDev])
        expect(
          mountPaths.some((m) => path === m || path.startsWith(`${m}/`)),
          path,
        ).toBe(true);
      expect(agent.ports?.[0]?.containerPort).toBe(config.statusPort);
      // The hub Service points the agents at the hub's gRPC port.
      const hubConfig = loadConfig(HUB_CONFIG, hub.args ?? [], envMap(hub, {}, ''));
      const svc = c.server.store.get(R.services, NS, 'ballast-hub') as KubeObject & {
        spec: { ports: Array<{ name: string; port: number }> };
      };
      expect(svc.spec.ports.find((p) => p.name === 'grpc')?.port).toBe(Number(config.hubAddress.split(':')[1]));
      expect(hub.ports?.find((p) => p.name === 'grpc')?.containerPort).toBe(hubConfig.grpcPort);
      expect(hub.ports?.find((p) => p.name === 'http')?.containerPort).toBe(hubConfig.httpPort);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a misspelt field in the manifests', () => {
  let c: TestCluster | undefined;
  let broken: string;

  beforeAll(() => {
    broken = mkdtempSync(join(tmpdir(), 'ballast-deploy-broken-'));
    cpSync(DEPLOY_DIR, broken, { recursive: true });
    const file = join(broken, 'daemonset.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('\n      containers:\n');
    writeFileSync(file, text.replace('\n      containers:\n', '\n      containrs:\n'));
    expect(readdirSync(broken)).toContain('kustomization.yaml');
  });
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });
  afterAll(() => rmSync(broken, { recursive: true, force: true }));

  it('is refused by kubectl apply (strict validation) and the DaemonSet is not created', async () => {
    c = await startTestCluster(newClock(), 2);
    const res = await kubectl(c.server.kubeconfigPath, ['apply', '-k', broken]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('strict decoding error: unknown field "spec.template.spec.containrs"');
    expect(c.server.store.get(R.daemonSets, NS, 'ballast-agent')).toBeUndefined();
    expect(c.pods(NS).filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'ballast-agent')).toHaveLength(0);
  });

  it('is refused as a patch to the applied DaemonSet, which stays as it was', async () => {
    c = await startTestCluster(newClock(), 2);
    const good = await kubectl(c.server.kubeconfigPath, ['apply', '-k', DEPLOY_DIR]);
    expect(good.code, good.stderr).toBe(0);
    const before = c.server.store.get(R.daemonSets, NS, 'ballast-agent') as KubeObject;
    const res = await kubectl(c.server.kubeconfigPath, ['apply', '-k', broken]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('unknown field "spec.template.spec.containrs"');
    const after = c.server.store.get(R.daemonSets, NS, 'ballast-agent') as KubeObject;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('is only warned about with --validate=warn, as the real apiserver does', async () => {
    c = await startTestCluster(newClock(), 2);
    const res = await kubectl(c.server.kubeconfigPath, ['apply', '-k', broken, '--validate=warn']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('unknown field "spec.template.spec.containrs"');
  });
});

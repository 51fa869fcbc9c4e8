import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientNodeClusterApi } from '@ballast/kube';
import { CLUSTER_TAG, type KubeApiServer, kubeResources as R, seedWorkloads, settleKube, startKubeApiServer } from '@ballast/sim';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClusterView } from '../src/decisions/live/kube-cluster-view.ts';
import { makeUser, signedIn } from './auth-fixtures.ts';
import { type HubHarness, hubHarness } from './hub-harness.ts';

const CLUSTER = 'live';
const MIN = 60_000;
const POLICIES = { discountPreference: 0, maxPoolShare: 0.5 };

// The hub as main builds it, given a directory of cluster kubeconfigs: it registers the
// cluster, runs a decision loop on it (dry run by default), reports the loop in the pipeline
// status, streams jobs live, and feeds the loop the overrides an operator puts in place.
let h: HubHarness;
let kube: KubeApiServer;
let headers: Record<string, string>;

beforeAll(async () => {
  h = await hubHarness(undefined, { decisionIntervalMinutes: 60 }, async (sim, dir) => {
    kube = await startKubeApiServer({ fleet: sim.fleet, clock: sim.clock, clusterName: CLUSTER, nodeDeleteDelayMs: 0 });
    for (let i = 0; i < 3; i++) {
      sim.fleet.launch({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        capacityType: 'spot',
        imageId: 'ami-1',
        tags: { [CLUSTER_TAG]: CLUSTER },
      });
    }
    const advance = async () => {
      await sim.clock.advance(MIN);
      await settleKube(kube);
    };
    await advance();
    seedWorkloads(kube, { deployments: [{ name: 'web', replicas: 3, cpu: '250m', memory: '256Mi', pdb: { maxUnavailable: 1 } }] });
    await advance();
    await advance();
    const kubeconfigs = join(dir, 'kubeconfigs');
    mkdirSync(kubeconfigs);
    copyFileSync(kube.kubeconfigPath, join(kubeconfigs, `${CLUSTER}.yaml`));
    const decisionPoliciesFile = join(dir, 'policies.json');
    writeFileSync(decisionPoliciesFile, JSON.stringify(POLICIES));
    return { clusterKubeconfigDir: kubeconfigs, decisionPoliciesFile, clockMs: sim.clock.now() };
  });
  headers = (await signedIn(h, await makeUser(h.store, { role: 'admin', clientId: null }))).headers;
}, 120_000);

afterAll(async () => {
  await h?.close();
  await kube?.close();
});

const get = async (url: string) => {
  const res = await h.app.inject({ url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('a hub with cluster kubeconfigs', () => {
  it('registers the cluster, runs a dry-run decision loop on it and reports the loop in the pipeline status', async () => {
    expect(kube.store.list(R.nodes)).toHaveLength(3);
    const loops = h.hub.decisionLoops;
    expect(loops?.size).toBe(1);
    await waitFor('the first decision run', () => (loops?.status()[0]?.runs ?? 0) >= 1, 30_000);
    const [status] = loops?.status() ?? [];
    expect(status).toMatchObject({ clientId: 'default', clusterId: CLUSTER, dryRun: true, lastError: null, skippedNodes: [] });

    // The loop packs pods by their own requests (250m / 256Mi here), not an assumed size.
    const view = await new KubeClusterView(new ClientNodeClusterApi({ kubeConfig: { file: kube.kubeconfigPath } })).snapshot();
    const web = view.nodes.flatMap((n) => n.pods).filter((p) => p.workload.includes('/web'));
    expect(web.length).toBe(3);
    expect(web.every((p) => p.cpuMillis === 250 && p.memoryMib === 256)).toBe(true);
    // Each node's join time, from its Node object: what the topology's launch times come from.
    for (const n of view.nodes) {
      expect(n.createdAtMs).toBeGreaterThan(0);
      expect(loops?.nodeCreatedAtMs('default', CLUSTER, n.name)).toBe(n.createdAtMs);
    }

    const topology = await get('/api/v1/clients/default/topology');
    expect(topology.clusters.map((c: { id: string }) => c.id)).toContain(CLUSTER);

    const pipeline = await get('/api/v1/pipeline/status');
    const decisions = pipeline.components.find((c: { name: string }) => c.name === 'decisions');
    expect(decisions).toMatchObject({ status: 'ok', detail: { clusters: 1, dryRun: true } });
    expect(decisions.detail.runs).toBeGreaterThanOrEqual(1);
    // The loop runs under the policies file; the status shows what differs from the defaults.
    expect(decisions.detail.policyOverrides).toEqual(POLICIES);
    expect(pipeline.components.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['ingest', 'store', 'catalog', 'decisions', 'solver', 'executor']),
    );
    // Each run solves the cluster's best plan: the optimization rate has its denominator.
    expect(pipeline.components.find((c: { name: string }) => c.name === 'solver')).toMatchObject({ status: 'ok' });
    const plan = h.hub.decisionLoops?.status().length ? await h.hub.decisionLoops?.bestPlan(null) : null;
    expect(plan?.savingsPerHour).toBeGreaterThan(0);
    const rate = await get('/api/v1/metrics/optimization-rate');
    expect(rate.bestPlan?.savingsPerHour).toBeCloseTo(plan?.savingsPerHour as number, 6);

    expect(h.sim.fleet.list().filter((i) => i.state !== 'terminated')).toHaveLength(3);
  });

  it('streams a job as soon as an operator forces the cluster on-demand, and the next run sees the override', async () => {
    const res = await fetch(`http://127.0.0.1:${h.hub.httpPort}/api/v1/stream?kinds=job-progress`, {
      headers: { ...headers, accept: 'text/event-stream' },
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await until(/event: ready/);
    const forced = await h.app.inject({
      method: 'POST',
      url: `/api/v1/clusters/${CLUSTER}/force-on-demand`,
      headers,
      payload: { duration_hours: 2, reason: 'maintenance' },
    });
    expect(forced.statusCode, forced.body).toBe(202);
    const jobId = forced.json().job.id;
    await until(new RegExp(`event: job-progress\\n(id: .*\\n)?data: .*${jobId}`));
    await reader.cancel();

    const runs = h.hub.decisionLoops?.status()[0]?.runs ?? 0;
    await h.hub.decisionLoops?.runNow('default', CLUSTER);
    expect(h.hub.decisionLoops?.status()[0]?.runs).toBe(runs + 1);
    const fallbacks = (await get(`/api/v1/decisions?cluster=${CLUSTER}&kind=fallback-on-demand`)).decisions;
    const override = fallbacks.filter((d: { inputs?: { reason?: string } }) => d.inputs?.reason === 'override');
    expect(override.length).toBeGreaterThan(0);
    // Dry run: recorded, never handed to the executor (the override's own job moves the nodes).
    expect(override.every((d: { dryRun: boolean }) => d.dryRun)).toBe(true);
  });
});

import { createLogger } from '@ballast/common';
import { type Command, type CommandResult, CommandSchema } from '@ballast/proto';
import { type KubeTypes, kubeResources as R } from '@ballast/sim';
import { create } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandRunner } from '../../src/actions/command-runner.ts';
import { DrainExecutor } from '../../src/executors/drain-executor.ts';
import { type DrainCluster, startDrainCluster, until } from '../executors/sim-cluster.ts';

const log = createLogger('test', 'silent');
const taint = { key: 'ballast.io/interrupted', value: 'true', effect: 'NoSchedule' as const };

// Hub-ordered actions run through the same executor as the agent's own, against the sim's API server.
describe('CommandRunner', () => {
  let c: DrainCluster | null = null;
  afterEach(async () => {
    await c?.close();
    c = null;
  });

  function runner(cluster: DrainCluster | null, replies: CommandResult[]): CommandRunner {
    return new CommandRunner({
      node: cluster?.node ?? 'nowhere',
      cluster: cluster?.api ?? null,
      executor: cluster ? new DrainExecutor({ cluster: cluster.api, clock: cluster.clock }) : null,
      taint,
      clock: cluster?.clock ?? { now: () => Date.now(), setTimeout, clearTimeout },
      log,
      reply: (r) => replies.push(r),
    });
  }

  it('cordons, drains and uncordons on the hub’s order, answering each command once', async () => {
    c = await startDrainCluster({ deployments: [{ name: 'web', replicas: 3, pdb: { maxUnavailable: 1 } }] }, { speed: 20 });
    const cluster = c;
    const replies: CommandResult[] = [];
    const r = runner(cluster, replies);
    const node = () => cluster.server.store.get(R.nodes, undefined, cluster.node) as KubeTypes.Node;

    r.onCommand(create(CommandSchema, { id: 'c1', kind: { case: 'cordon', value: {} } }));
    await until(() => replies.length === 1);
    expect(replies[0]).toMatchObject({ commandId: 'c1', ok: true });
    expect(node().spec?.unschedulable).toBe(true);

    r.onCommand(
      create(CommandSchema, {
        id: 'd1',
        kind: { case: 'drain', value: { deadlineMs: BigInt(cluster.clock.now() + 120_000), dryRun: false } },
      }),
    );
    await until(() => replies.length === 2, 20_000);
    expect(replies[1]).toMatchObject({ commandId: 'd1', ok: true });
    expect(replies[1]?.message).toMatch(/3 evicted/);
    expect(cluster.pods((p) => p.spec?.nodeName === cluster.node && p.metadata.labels?.app === 'web')).toHaveLength(0);

    // The same command again (a re-send after a reconnect) is answered but not run twice.
    r.onCommand(create(CommandSchema, { id: 'd1', kind: { case: 'drain', value: { deadlineMs: 0n, dryRun: false } } }));
    await until(() => replies.length === 3);
    expect(replies[2]).toMatchObject({ commandId: 'd1', ok: true, message: 'already received' });

    r.onCommand(create(CommandSchema, { id: 'u1', kind: { case: 'uncordon', value: {} } }));
    await until(() => replies.length === 4);
    expect(replies[3]).toMatchObject({ commandId: 'u1', ok: true });
    expect(node().spec?.unschedulable).toBeFalsy();
    expect(node().spec?.taints ?? []).not.toContainEqual(expect.objectContaining({ key: taint.key }));
  });

  it('answers with a clear error when it cannot act', async () => {
    const replies: CommandResult[] = [];
    runner(null, replies).onCommand(create(CommandSchema, { id: 'x', kind: { case: 'cordon', value: {} } }) as Command);
    await until(() => replies.length === 1);
    expect(replies[0]).toMatchObject({ commandId: 'x', ok: false });
    expect(replies[0]?.message).toMatch(/no Kubernetes access/);
  });
});

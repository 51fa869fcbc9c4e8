import { hash32 } from '../../core/rng.ts';
import type { KubeCluster } from '../kube-cluster.ts';
import { controllerOf } from '../pod-util.ts';
import { ReconcileQueue } from '../reconcile-queue.ts';
import { R } from '../resources.ts';
import type { Deployment, ReplicaSet } from '../types.ts';
import { ownedBy, ownerRef, writeStatus } from './workload-util.ts';

/**
 * A Deployment owns one ReplicaSet per pod template (named `<deployment>-<template hash>`,
 * label `pod-template-hash`). The current template's ReplicaSet gets all replicas and
 * older ones are scaled to zero at once: a Recreate-like rollout, enough for a simulator
 * whose point is nodes coming and going, not rollouts.
 */
export class DeploymentController {
  private readonly queue = new ReconcileQueue<string>((keys) => {
    for (const k of keys) this.reconcile(k);
  });
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly cluster: KubeCluster) {
    const { store } = cluster;
    this.unsubscribe.push(
      store.subscribe(R.deployments, (e) => this.queue.mark(`${e.object.metadata.namespace}/${e.object.metadata.name}`)),
      store.subscribe(R.replicaSets, (e) => {
        const owner = controllerOf(e.object);
        if (owner?.kind === 'Deployment') this.queue.mark(`${e.object.metadata.namespace}/${owner.name}`);
      }),
    );
    for (const d of store.list(R.deployments)) this.queue.mark(`${d.metadata.namespace}/${d.metadata.name}`);
  }

  private reconcile(key: string): void {
    const { store } = this.cluster;
    const [ns, name] = key.split('/') as [string, string];
    const d = store.get(R.deployments, ns, name) as Deployment | undefined;
    if (!d || d.metadata.deletionTimestamp) return;
    const hash = templateHash(d);
    const rsName = `${name}-${hash}`;
    const replicas = d.spec.replicas ?? 1;
    const owned = ownedBy(this.cluster, R.replicaSets, d) as ReplicaSet[];
    let current = owned.find((rs) => rs.metadata.name === rsName);
    if (!current) {
      const labels = { ...d.spec.template.metadata?.labels, 'pod-template-hash': hash };
      current = store.create(R.replicaSets, {
        metadata: {
          name: rsName,
          namespace: ns,
          labels,
          ownerReferences: [ownerRef(d)],
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas) },
        },
        spec: {
          replicas,
          selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, 'pod-template-hash': hash } },
          template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels } },
        },
      }) as ReplicaSet;
    } else if ((current.spec.replicas ?? 1) !== replicas) {
      store.mutate<ReplicaSet>(R.replicaSets, ns, rsName, (rs) => {
        rs.spec.replicas = replicas;
      });
    }
    for (const old of owned) {
      if (old.metadata.name !== rsName && (old.spec.replicas ?? 1) !== 0) {
        store.mutate<ReplicaSet>(R.replicaSets, ns, old.metadata.name as string, (rs) => {
          rs.spec.replicas = 0;
        });
      }
    }
    const all = ownedBy(this.cluster, R.replicaSets, d) as ReplicaSet[];
    const sum = (f: string) => all.reduce((n, rs) => n + Number(rs.status?.[f] ?? 0), 0);
    const cur = all.find((rs) => rs.metadata.name === rsName);
    const available = sum('availableReplicas');
    writeStatus(this.cluster, R.deployments, d, {
      observedGeneration: d.metadata.generation,
      replicas: sum('replicas'),
      updatedReplicas: Number(cur?.status?.replicas ?? 0),
      readyReplicas: sum('readyReplicas'),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
      conditions: [
        {
          type: 'Available',
          status: available >= replicas ? 'True' : 'False',
          reason: available >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        },
      ],
    });
  }

  close(): void {
    this.queue.close();
    for (const u of this.unsubscribe) u();
  }
}

function templateHash(d: Deployment): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = hash32(JSON.stringify(d.spec.template));
  let s = '';
  for (let i = 0; i < 10; i++) {
    s += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length) || hash32(s);
  }
  return s;
}

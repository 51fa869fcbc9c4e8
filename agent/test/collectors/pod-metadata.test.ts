import { describe, expect, it } from 'vitest';
import { ownerOf, podEntry, StaticPodMetadata, stripRuntime } from '../../src/collectors/pod-metadata.ts';
import { ID, PODS, UID } from './fixture-pods.ts';

describe('pod metadata mapping', () => {
  it('strips the runtime scheme from status container ids', () => {
    expect(stripRuntime('containerd://abc123')).toBe('abc123');
    expect(stripRuntime('cri-o://abc123')).toBe('abc123');
    expect(stripRuntime('docker://abc123')).toBe('abc123');
    expect(stripRuntime('abc123')).toBe('abc123');
  });

  it('names a ReplicaSet’s Deployment by stripping the pod-template-hash suffix', () => {
    expect(ownerOf(PODS[0] ?? {})).toEqual({ kind: 'Deployment', name: 'web' });
  });

  it('keeps a ReplicaSet whose name does not end in the pod’s hash, or without a hash label', () => {
    const rs = (name: string, labels?: Record<string, string>) => ({
      metadata: { uid: 'u', name: 'p', labels, ownerReferences: [{ kind: 'ReplicaSet', name, controller: true }] },
    });
    expect(ownerOf(rs('plain-rs', { 'pod-template-hash': 'abc12' }))).toEqual({ kind: 'ReplicaSet', name: 'plain-rs' });
    expect(ownerOf(rs('web-abc12'))).toEqual({ kind: 'ReplicaSet', name: 'web-abc12' });
  });

  it('prefers the controller reference over other owners, and has empty owners for bare pods', () => {
    const pod = {
      metadata: {
        uid: 'u',
        name: 'p',
        ownerReferences: [
          { kind: 'ConfigMap', name: 'not-the-controller' },
          { kind: 'DaemonSet', name: 'node-agent', controller: true },
        ],
      },
    };
    expect(ownerOf(pod)).toEqual({ kind: 'DaemonSet', name: 'node-agent' });
    expect(ownerOf({ metadata: { uid: 'u', name: 'p' } })).toEqual({ kind: '', name: '' });
  });

  it('indexes init, regular and ephemeral containers, current and previous ids', () => {
    const e = podEntry({
      metadata: { uid: 'u1', name: 'p', namespace: 'ns' },
      status: {
        initContainerStatuses: [{ name: 'init', containerID: 'containerd://i1' }],
        containerStatuses: [{ name: 'app', containerID: 'containerd://a2', lastState: { terminated: { containerID: 'containerd://a1' } } }],
        ephemeralContainerStatuses: [{ name: 'debugger', containerID: 'containerd://d1' }],
      },
    });
    expect(e && Object.fromEntries([...e.containers].map(([id, m]) => [id, m.container]))).toEqual({
      i1: 'init',
      a1: 'app',
      a2: 'app',
      d1: 'debugger',
    });
    expect(e?.pod).toEqual({ pod: 'p', namespace: 'ns', container: '', ownerKind: '', ownerName: '' });
  });

  it('ignores pods without uid or name, and containers not started yet', () => {
    expect(podEntry({ metadata: { name: 'p' } })).toBeUndefined();
    expect(podEntry({ metadata: { uid: 'u', name: 'p' }, status: { containerStatuses: [{ name: 'waiting' }] } })?.containers.size).toBe(0);
  });
});

describe('StaticPodMetadata', () => {
  it('answers by pod uid and container id, the pod alone for unknown containers, and nothing for unknown pods', () => {
    const m = new StaticPodMetadata(PODS);
    expect(m.lookup(UID.web, ID.nginx)).toEqual({
      pod: 'web-7d9f8b6c5-x2k4p',
      namespace: 'shop',
      container: 'nginx',
      ownerKind: 'Deployment',
      ownerName: 'web',
    });
    expect(m.lookup(UID.web, ID.sandboxA)?.container).toBe('');
    expect(m.lookup('00000000-0000-0000-0000-000000000000', ID.nginx)).toBeUndefined();
  });

  it('returns the same object while nothing changed, so the collector can reuse its labels', () => {
    const m = new StaticPodMetadata(PODS);
    expect(m.lookup(UID.web, ID.nginx)).toBe(m.lookup(UID.web, ID.nginx));
    m.delete(UID.web);
    expect(m.lookup(UID.web, ID.nginx)).toBeUndefined();
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerIdFromDirName, findKubepods, listContainers, listPods, podFromDirName } from '../../src/collectors/cgroup/kubepods.ts';
import { detectLayout } from '../../src/collectors/cgroup/layout.ts';
import { makeCgroupTree } from '../fixtures/make-cgroup-tree.ts';
import { FIXTURES, ID, UID } from './fixture-pods.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ballast-layout-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('detectLayout', () => {
  it('detects v2 by cgroup.controllers at the root: every file lives under the root', () => {
    const root = join(FIXTURES, 'cgroup-v2-systemd');
    expect(detectLayout(root)).toEqual({
      version: 2,
      root,
      cpu: root,
      cpuacct: root,
      memory: root,
      blkio: root,
      pressure: root,
      walk: root,
    });
  });

  it('detects v1 with a co-mounted cpu,cpuacct and the hybrid unified tree for PSI', () => {
    const root = join(FIXTURES, 'cgroup-v1-cgroupfs');
    expect(detectLayout(root)).toEqual({
      version: 1,
      root,
      cpu: join(root, 'cpu,cpuacct'),
      cpuacct: join(root, 'cpu,cpuacct'),
      memory: join(root, 'memory'),
      blkio: join(root, 'blkio'),
      pressure: join(root, 'unified'),
      walk: join(root, 'cpu,cpuacct'),
    });
  });

  it('detects v1 with cpu and cpuacct mounted apart (as on this machine), without PSI', () => {
    const t = makeCgroupTree({ version: 1, pods: 1, dir: join(scratch, 'separate'), separateCpuControllers: true, psi: false });
    expect(detectLayout(t.root)).toMatchObject({
      version: 1,
      cpu: join(t.root, 'cpu'),
      cpuacct: join(t.root, 'cpuacct'),
      pressure: undefined,
    });
  });

  it('returns undefined where no cgroup hierarchy is mounted', () => {
    expect(detectLayout(join(scratch, 'nothing'))).toBeUndefined();
  });
});

describe('kubepods discovery', () => {
  it('finds the systemd driver’s pods in every QoS class', () => {
    const mount = join(FIXTURES, 'cgroup-v2-systemd');
    const kp = findKubepods(mount);
    expect(kp).toEqual({ driver: 'systemd', rel: 'kubepods.slice' });
    const pods = listPods(mount, kp as NonNullable<typeof kp>);
    expect(Object.fromEntries(pods.map((p) => [p.uid, p.qos]))).toEqual({
      [UID.web]: 'guaranteed',
      [UID.cache]: 'burstable',
      [UID.debug]: 'besteffort',
      [UID.batch]: 'burstable',
    });
    const cache = pods.find((p) => p.uid === UID.cache) as (typeof pods)[0];
    expect(new Set(listContainers(mount, cache, 'systemd').map((c) => c.containerId))).toEqual(
      new Set([ID.sandboxB, ID.redis, ID.exporter]),
    );
  });

  it('finds the cgroupfs driver’s pods, with QoS from the parent directory', () => {
    const mount = join(FIXTURES, 'cgroup-v1-cgroupfs', 'cpu,cpuacct');
    const kp = findKubepods(mount);
    expect(kp).toEqual({ driver: 'cgroupfs', rel: 'kubepods' });
    const pods = listPods(mount, kp as NonNullable<typeof kp>);
    expect(pods.find((p) => p.uid === UID.debug)).toEqual({
      uid: UID.debug,
      qos: 'besteffort',
      rel: `kubepods/besteffort/pod${UID.debug}`,
    });
    expect(pods.find((p) => p.uid === UID.web)?.qos).toBe('guaranteed');
  });

  it('honours a forced driver and finds nothing when the other one is in use', () => {
    expect(findKubepods(join(FIXTURES, 'cgroup-v2-systemd'), 'cgroupfs')).toBeUndefined();
  });

  it('ignores files and directories that are not pods or containers', () => {
    const mount = join(scratch, 'noise');
    mkdirSync(
      join(mount, 'kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc_def.slice/crio-conmon-0123456789abcdef.scope'),
      { recursive: true },
    );
    mkdirSync(join(mount, 'kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc_def.slice/init.scope'), { recursive: true });
    mkdirSync(join(mount, 'kubepods.slice/system.slice'), { recursive: true });
    writeFileSync(join(mount, 'kubepods.slice/kubepods-podfile.slice'), '');
    const kp = findKubepods(mount);
    const pods = listPods(mount, kp as NonNullable<typeof kp>);
    expect(pods.map((p) => p.uid)).toEqual(['abc-def']);
    expect(listContainers(mount, pods[0] as (typeof pods)[0], 'systemd')).toEqual([]);
  });
});

describe('cgroup directory names', () => {
  it.each([
    ['kubepods-pod6b1c3f2e_8d4a_4f0b_9e7c_2a5d1f3b4c6e.slice', { uid: '6b1c3f2e-8d4a-4f0b-9e7c-2a5d1f3b4c6e', qos: 'guaranteed' }],
    ['kubepods-burstable-pod0e9a7b5c_3d2f_4a1e_8b6c_9f4d2e1a7b3c.slice', { uid: '0e9a7b5c-3d2f-4a1e-8b6c-9f4d2e1a7b3c', qos: 'burstable' }],
    [
      'kubepods-besteffort-podc4d8e2f1_6a3b_4c9d_8e7f_1b2a3c4d5e6f.slice',
      { uid: 'c4d8e2f1-6a3b-4c9d-8e7f-1b2a3c4d5e6f', qos: 'besteffort' },
    ],
    // A static (mirror) pod's cgroup carries the config hash, not a dashed uid.
    ['kubepods-burstable-pod3e5f1c0a9b8d7e6f5a4b3c2d1e0f9a8b.slice', { uid: '3e5f1c0a9b8d7e6f5a4b3c2d1e0f9a8b', qos: 'burstable' }],
    ['kubepods-burstable.slice', undefined],
  ])('systemd pod slice %s', (name, want) => {
    expect(podFromDirName(name, 'systemd')).toEqual(want);
  });

  it('maps runtime scopes to bare container ids and skips CRI-O’s conmon', () => {
    const id = 'a'.repeat(64);
    expect(containerIdFromDirName(`cri-containerd-${id}.scope`, 'systemd')).toBe(id);
    expect(containerIdFromDirName(`docker-${id}.scope`, 'systemd')).toBe(id);
    expect(containerIdFromDirName(`crio-${id}.scope`, 'systemd')).toBe(id);
    expect(containerIdFromDirName(`crio-conmon-${id}.scope`, 'systemd')).toBeUndefined();
    expect(containerIdFromDirName(id, 'cgroupfs')).toBe(id);
    expect(containerIdFromDirName('not-a-container', 'cgroupfs')).toBeUndefined();
  });
});

import type { Ec2State, Image } from './state.ts';
import { ACCOUNT_ID } from './state.ts';

const DAY_MS = 86_400_000;

/** Ids of the built-in images, fixed so tests and demo configs can name them. */
export const BUILT_IN_IMAGE_IDS = {
  al2023X86: 'ami-0a1b2c3d4e5f60001',
  al2023Arm: 'ami-0a1b2c3d4e5f60002',
  bottlerocketX86: 'ami-0a1b2c3d4e5f60003',
} as const;

/**
 * Gives a fresh account what a lived-in one has: node images whose block devices
 * reference snapshots, plus leftovers — unattached volumes and snapshots no image uses —
 * for cleanup features to find.
 */
export function seedAccount(state: Ec2State): void {
  const now = state.clock.now();
  const snapshot = (sizeGib: number, ageDays: number, description: string) => {
    const id = state.newId('snap');
    state.snapshots.set(id, {
      id,
      volumeId: state.newId('vol'),
      sizeGib,
      startTimeMs: now - ageDays * DAY_MS,
      description,
      encrypted: false,
      tags: {},
    });
    return id;
  };
  const image = (id: string, name: string, architecture: Image['architecture'], devices: Array<[string, number]>, ageDays: number) => {
    const blockDevices = devices.map(([deviceName, sizeGib]) => ({
      deviceName,
      sizeGib,
      snapshotId: snapshot(sizeGib, ageDays, `Created by CreateImage for ${id}`),
      volumeType: 'gp3',
      deleteOnTermination: true,
    }));
    state.images.set(id, {
      id,
      name,
      description: `Ballast node image ${name}`,
      architecture,
      ownerId: ACCOUNT_ID,
      creationTimeMs: now - ageDays * DAY_MS,
      rootDeviceName: devices[0]?.[0] ?? '/dev/xvda',
      blockDevices,
      tags: { 'ballast.io/image': name },
    });
  };
  image(BUILT_IN_IMAGE_IDS.al2023X86, 'ballast-node-al2023-x86_64-v20240110', 'x86_64', [['/dev/xvda', 20]], 60);
  image(BUILT_IN_IMAGE_IDS.al2023Arm, 'ballast-node-al2023-arm64-v20240110', 'arm64', [['/dev/xvda', 20]], 60);
  image(
    BUILT_IN_IMAGE_IDS.bottlerocketX86,
    'ballast-bottlerocket-x86_64-v1.19',
    'x86_64',
    [
      ['/dev/xvda', 2],
      ['/dev/xvdb', 20],
    ],
    30,
  );

  for (const [sizeGib, ageDays] of [
    [50, 120],
    [8, 400],
    [100, 35],
    [20, 9],
  ] as const)
    snapshot(sizeGib, ageDays, 'manual backup');

  const zones = state.zones;
  [
    [100, 90],
    [20, 14],
    [500, 200],
  ].forEach(([sizeGib = 0, ageDays = 0], k) => {
    const id = state.newId('vol');
    state.volumes.set(id, {
      id,
      sizeGib,
      snapshotId: null,
      availabilityZone: zones[k % zones.length] ?? 'us-east-1a',
      state: 'available',
      createTimeMs: now - ageDays * DAY_MS,
      volumeType: 'gp2',
      iops: 3 * sizeGib,
      encrypted: false,
      tags: { Name: `leftover-${k + 1}` },
      attachment: null,
    });
  });
}

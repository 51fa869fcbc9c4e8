import type { ImdsClient } from './imds-client.ts';

export interface InstanceIdentity {
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  lifecycle: 'spot' | 'on-demand' | 'unspecified';
}

/** Reads who this node is from the metadata service (each value is a plain-text path). */
export async function readInstanceIdentity(imds: ImdsClient): Promise<InstanceIdentity> {
  const [instanceId, instanceType, availabilityZone, lifecycle] = await Promise.all([
    imds.getText('/latest/meta-data/instance-id'),
    imds.getText('/latest/meta-data/instance-type'),
    imds.getText('/latest/meta-data/placement/availability-zone'),
    imds.getText('/latest/meta-data/instance-life-cycle'),
  ]);
  return {
    instanceId,
    instanceType,
    availabilityZone,
    lifecycle: lifecycle === 'spot' ? 'spot' : lifecycle === 'on-demand' ? 'on-demand' : 'unspecified',
  };
}

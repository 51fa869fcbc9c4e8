import { systemClock } from '@ballast/common';
import type { SimEc2 } from '@ballast/testkit';
import { Catalog } from '../../hub/src/catalog/catalog.ts';
import { AwsCloudProvider } from '../../hub/src/cloud/aws-cloud-provider.ts';
import type { SeedNode } from './messages.ts';

/**
 * The benchmark's fleet: `count` nodes spread round-robin over `clusters` clusters and over
 * every pool the catalog prices (spot and on-demand price both known, read through the AWS
 * SDK from the simulator as the hub reads them), a fifth of them on demand.
 */
export async function seedNodes(o: {
  sim: SimEc2;
  onDemandFile: string;
  tenant: string;
  clusters: number;
  count: number;
}): Promise<SeedNode[]> {
  const cloud = new AwsCloudProvider(o.sim.awsConfig());
  const catalog = new Catalog({ cloud, clock: systemClock, onDemand: { file: o.onDemandFile } });
  await catalog.start();
  try {
    const pools = catalog.spotPools().filter(([t, z]) => catalog.spotPrice(t, z) && catalog.onDemandPrice(t));
    if (pools.length === 0) throw new Error('the catalog prices no pool: check the simulator and the on-demand price file');
    return Array.from({ length: o.count }, (_, i) => {
      const [instanceType, availabilityZone] = pools[i % pools.length] as [string, string];
      return {
        tenant: o.tenant,
        cluster: `cluster-${i % o.clusters}`,
        node: `ip-10-0-${Math.floor(i / 250)}-${i % 250}`,
        instanceId: `i-${(0x10000000 + i).toString(16)}`,
        instanceType,
        availabilityZone,
        lifecycle: i % 5 === 0 ? 'on-demand' : 'spot',
        agentVersion: '0.1.0',
      };
    });
  } finally {
    await catalog.shutdown();
    cloud.close();
  }
}

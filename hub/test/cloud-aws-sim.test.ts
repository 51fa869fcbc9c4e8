import { BUILT_IN_IMAGE_IDS } from '@ballast/sim';
import { type CloudContractWorld, cloudProviderContract } from '../../testkit/src/cloud-provider-contract.ts';
import { startSimEc2 } from '../../testkit/src/sim-ec2.ts';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';
import type { CloudCallRecord } from '../src/cloud/aws-context.ts';

// The AWS implementation, unmodified, against the simulator's EC2 endpoint over HTTP.
cloudProviderContract('AwsCloudProvider on the sim EC2 endpoint', async (): Promise<CloudContractWorld> => {
  const sim = await startSimEc2();
  const config = sim.awsConfig();
  const calls: CloudCallRecord[] = [];
  const pagedCalls: CloudCallRecord[] = [];
  const provider = new AwsCloudProvider(config, { observe: (c) => calls.push(c) });
  const pagedProvider = new AwsCloudProvider({ ...config, pageSize: 5 }, { observe: (c) => pagedCalls.push(c) });
  const leftover = [...sim.state.volumes.values()].find((v) => v.attachment === null);
  // A type the recorded history prices in some zones but not all: EC2 has no spot market there.
  const history = sim.market.history;
  const noSpot = sim.market.catalog
    .priced()
    .filter((t) => history?.coversType(t.instanceType))
    .flatMap((t) =>
      sim.market.zones.filter((z) => !sim.market.offers(t.instanceType, z)).map((zone) => ({ instanceType: t.instanceType, zone })),
    )[0];
  if (!leftover) throw new Error('the sim seeds unattached volumes');
  return {
    provider,
    pagedProvider,
    calls,
    pagedCalls,
    maxAttempts: config.retry?.maxAttempts ?? 3,
    imageId: BUILT_IN_IMAGE_IDS.al2023X86,
    instanceType: 'm5.large',
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    unattachedVolumeId: leftover.id,
    exhaustPool: (type, zone) => sim.market.capacity.setCapacity(type, zone, 0),
    ...(noSpot ? { poolWithoutSpot: noSpot } : {}),
    injectFault: (action, code, times) => sim.state.injectFault(action, code, times),
    nowMs: () => sim.clock.now(),
    advance: (ms) => sim.clock.advance(ms),
    close: async () => {
      provider.close();
      pagedProvider.close();
      await sim.close();
    },
  };
});

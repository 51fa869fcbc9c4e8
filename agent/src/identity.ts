import type { Logger } from '@ballast/common';
import type { AgentConfig } from './config/agent-config.ts';
import type { ImdsClient } from './imds/imds-client.ts';
import { type InstanceIdentity, readInstanceIdentity } from './imds/instance-identity.ts';

/**
 * Who this node is: values set in the config win (useful off EC2 and in tests); the rest
 * come from IMDS when it is configured. An unreachable IMDS is logged, not fatal, so the
 * agent still ships metrics from a machine that is not an EC2 instance.
 */
export async function resolveIdentity(config: AgentConfig, imds: ImdsClient | null, log: Logger): Promise<InstanceIdentity> {
  const fromConfig: InstanceIdentity = {
    instanceId: config.instanceId,
    instanceType: config.instanceType,
    availabilityZone: config.availabilityZone,
    lifecycle: config.lifecycle as InstanceIdentity['lifecycle'],
  };
  if (!imds) return fromConfig;
  try {
    const found = await readInstanceIdentity(imds);
    return {
      instanceId: fromConfig.instanceId || found.instanceId,
      instanceType: fromConfig.instanceType || found.instanceType,
      availabilityZone: fromConfig.availabilityZone || found.availabilityZone,
      lifecycle: fromConfig.lifecycle !== 'unspecified' ? fromConfig.lifecycle : found.lifecycle,
    };
  } catch (err) {
    log.warn('instance metadata unavailable; identity from configuration only', { err });
    return fromConfig;
  }
}

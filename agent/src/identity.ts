import { readFileSync } from 'node:fs';
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

/**
 * The enrolment token the agent presents in Hello: the flag/env value, else the file's
 * content (a mounted Secret), trimmed; '' when neither is set (a hub in open mode accepts that).
 * @throws Error naming enrolmentTokenFile when the file cannot be read or holds no token.
 */
export function resolveEnrolmentToken(config: Pick<AgentConfig, 'enrolmentToken' | 'enrolmentTokenFile'>): string {
  if (config.enrolmentToken !== '' || config.enrolmentTokenFile === '') return config.enrolmentToken;
  let text: string;
  try {
    text = readFileSync(config.enrolmentTokenFile, 'utf8').trim();
  } catch (err) {
    throw new Error(`enrolmentTokenFile (--enrolment-token-file): cannot read ${config.enrolmentTokenFile}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!/^blse_[A-Za-z0-9_-]{43}$/.test(text)) {
    throw new Error(`enrolmentTokenFile (--enrolment-token-file): ${config.enrolmentTokenFile} does not hold an enrolment token (blse_…)`);
  }
  return text;
}

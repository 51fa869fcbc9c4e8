import { isCloudError } from '../cloud/cloud-error.ts';
import type { JobKind } from '../jobs/job-kind.ts';
import { SwitchError } from './switch-error.ts';
import { parseSwitchParams, SWITCH_KIND, type SwitchParams } from './switch-params.ts';
import type { SwitchDeps } from './switch-ports.ts';
import { drainStep, launchStep, terminateOldStep, waitReadyStep } from './switch-steps.ts';

/**
 * A switch: launch the replacement in the chosen pool → wait until its node is Ready (else
 * roll back) → drain the old node → terminate it. Under an interruption notice the drain
 * comes right after the launch, without waiting for the replacement. Every step re-reads
 * the world and the switch's history row, so it is safe to run again after a restart.
 */
export function switchKind(d: SwitchDeps): JobKind<SwitchParams> {
  return {
    name: SWITCH_KIND,
    parseParams: parseSwitchParams,
    plan: (p) => {
      const steps =
        p.noticeDeadlineMs === null
          ? ['launch', 'wait-ready', 'drain', 'terminate-old']
          : ['launch', 'drain', 'wait-ready', 'terminate-old'];
      return steps.map((name) => ({ name, target: p.instanceId }));
    },
    approvalAction: () => null,
    summary: (p) =>
      `replace ${p.instanceId} (cluster ${p.clusterId}) by ${p.to.capacityType} ${p.to.instanceType} in ${p.to.zone}: ${p.reason}`,
    runStep: (p, ctx) => {
      switch (ctx.step.name) {
        case 'launch':
          return launchStep(d, p, ctx);
        case 'wait-ready':
          return waitReadyStep(d, p, ctx);
        case 'drain':
          return drainStep(d, p, ctx);
        case 'terminate-old':
          return terminateOldStep(d, p, ctx);
        default:
          throw new Error(`switch has no step ${ctx.step.name}`);
      }
    },
    // Throttling and the like pass; a roll-back, a refusal or no capacity in the pool do not.
    isRetryable: (err) => !(err instanceof SwitchError) && isCloudError(err) && err.retryable,
  };
}

import type { Clock, Logger } from '@ballast/common';
import { EventKind } from '@ballast/proto';
import type { ClusterApi } from '../executors/cluster-port.ts';
import type { Drainer, DrainProgressEvent } from '../executors/drain-types.ts';
import type { Notice } from '../monitors/notices.ts';
import type { EventOutbox } from './event-outbox.ts';
import type { InterruptionPolicy, NoticeAction } from './interruption-policy.ts';

export interface InterruptionHandlerOptions {
  node: string;
  policy: InterruptionPolicy;
  outbox: EventOutbox;
  cluster: ClusterApi | null;
  executor: Drainer | null;
  clock: Clock;
  log: Logger;
}

/**
 * Acts on IMDS notices: tells the hub at once (so it can launch a replacement while the
 * node drains), then cordons, taints and drains per policy. A spot notice is the one case
 * that cannot wait for the hub — two minutes is all there is.
 */
export class InterruptionHandler {
  handled = 0;
  failures = 0;

  constructor(private readonly o: InterruptionHandlerOptions) {}

  /** Notice sink for the monitor set: never throws; the work runs in the background. */
  readonly onNotice = (notice: Notice): void => {
    this.handled += 1;
    void this.handle(notice).catch((err) => {
      this.failures += 1;
      this.o.log.error('acting on a notice failed', { kind: notice.kind, err });
    });
  };

  private async handle(notice: Notice): Promise<void> {
    const { outbox, policy } = this.o;
    switch (notice.kind) {
      case 'spot-interruption': {
        outbox.emit(
          EventKind.SPOT_INTERRUPTION,
          `spot ${notice.action} at ${new Date(notice.deadlineMs).toISOString()}${notice.late ? ' (notice time already past)' : ''}`,
          { action: notice.action, late: String(Boolean(notice.late)) },
          notice.deadlineMs,
        );
        return this.act(policy.spotInterruption, notice.deadlineMs, 'spot interruption notice');
      }
      case 'rebalance-recommendation':
        outbox.emit(EventKind.REBALANCE_RECOMMENDATION, 'EC2 rebalance recommendation', {
          noticeTime: new Date(notice.noticeTimeMs).toISOString(),
        });
        // No deadline comes with a rebalance recommendation; a drain, if asked for, gets the spot notice's two minutes.
        return this.act(policy.rebalanceRecommendation, this.o.clock.now() + 120_000, 'rebalance recommendation');
      case 'scheduled-event':
        outbox.emit(
          EventKind.SCHEDULED_EVENT,
          `${notice.code} ${notice.state}: ${notice.description}`,
          { code: notice.code, eventId: notice.eventId, state: notice.state },
          notice.notBeforeMs,
        );
        if (notice.state !== 'active') return;
        return this.act(policy.scheduledEvent, notice.notBeforeMs, `scheduled event ${notice.code}`);
    }
  }

  private async act(action: NoticeAction, deadlineMs: number, reason: string): Promise<void> {
    const { cluster, executor, node, policy, log } = this.o;
    if (action === 'none') return;
    if (!cluster || !executor) {
      log.warn('no Kubernetes access; cannot cordon or drain', { reason });
      return;
    }
    if (action === 'cordon') {
      await cluster.cordon(node);
      await cluster.addTaint(node, policy.taint);
      this.o.outbox.emit(EventKind.DRAIN_PROGRESS, `cordoned: ${reason}`, { step: 'cordoned' });
      return;
    }
    const result = await executor.drain(node, {
      deadlineMs,
      reason,
      taint: policy.taint,
      policy: {
        deleteEmptyDirData: policy.deleteEmptyDirData,
        forceAtDeadline: policy.forceAtDeadline,
        preDrainHookMs: policy.preDrainHookMs,
      },
    });
    log.info('drain finished', { reason, ...result.summary });
  }
}

/** Progress of a drain as hub events; one per step so the console can show it live. */
export function progressToEvent(outbox: EventOutbox, e: DrainProgressEvent): void {
  const attributes: Record<string, string> = { step: e.kind };
  let message: string = e.kind;
  if ('pod' in e) {
    attributes.pod = `${e.pod.namespace}/${e.pod.name}`;
    message = `${e.kind} ${attributes.pod}`;
  }
  if (e.kind === 'pod-blocked') {
    attributes.pdb = e.pdb ? `${e.pdb.namespace}/${e.pdb.name}` : '';
    message = `${attributes.pod} blocked by ${attributes.pdb || 'a disruption budget'}: ${e.message}`;
  }
  if (e.kind === 'pod-forced') message = `${attributes.pod} deleted at the deadline despite its budget (force-at-deadline)`;
  if (e.kind === 'done') {
    for (const [k, v] of Object.entries(e.summary)) attributes[k] = String(v);
    message = `drain done: ${e.summary.evicted} evicted, ${e.summary.blocked} blocked, met deadline: ${e.summary.metDeadline}`;
  }
  outbox.emit(EventKind.DRAIN_PROGRESS, message, attributes);
}

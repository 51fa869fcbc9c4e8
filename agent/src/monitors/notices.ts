/**
 * What the monitors report. Times are epoch milliseconds; `detectedAtMs` is the agent's clock
 * when the poll that saw the notice finished, so detection latency can be measured downstream.
 */

/** AWS's `instance-action` values. */
export type SpotAction = 'terminate' | 'stop' | 'hibernate';

export interface SpotInterruptionNotice {
  kind: 'spot-interruption';
  action: SpotAction;
  /** When EC2 acts: the notice's time, or now when that is already past or unreadable. */
  deadlineMs: number;
  detectedAtMs: number;
  /** The notice's time was in the past when we saw it (the deadline was moved to now). */
  late: boolean;
  /** The notice's time could not be read; the deadline is a guess of now + 120 s. */
  timeUnparsable: boolean;
  /** The body as IMDS sent it, for the audit trail. */
  raw: string;
}

export interface RebalanceRecommendationNotice {
  kind: 'rebalance-recommendation';
  /** When EC2 issued the recommendation (now when unreadable). */
  noticeTimeMs: number;
  detectedAtMs: number;
  timeUnparsable: boolean;
  raw: string;
}

export type ScheduledEventState = 'active' | 'completed' | 'canceled';

export interface ScheduledEventNotice {
  kind: 'scheduled-event';
  /** e.g. instance-reboot, system-reboot, system-maintenance, instance-retirement, instance-stop. */
  code: string;
  eventId: string;
  notBeforeMs: number;
  /** NotBefore when EC2 gives no (readable) NotAfter. */
  notAfterMs: number;
  /** Unknown states are passed through as EC2 wrote them. */
  state: ScheduledEventState | (string & {});
  description: string;
  detectedAtMs: number;
  /** NotBefore could not be read; notBeforeMs is the detection time. */
  timeUnparsable: boolean;
}

export type Notice = SpotInterruptionNotice | RebalanceRecommendationNotice | ScheduledEventNotice;

/**
 * Receives every notice once. It is called synchronously from the poll; if it throws, the
 * notice is offered again on the next poll (a spot notice must not be lost to a hiccup).
 */
export type NoticeSink = (notice: Notice) => void;

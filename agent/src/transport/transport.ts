import type { Command, CommandResult, Event, Hello, RejectReason, SampleBatch, SeriesDefinition, Welcome } from '@ballast/proto';

/** What a transport asks of the agent when a stream (re)opens, and what it reports back. */
export interface TransportSession {
  hello(): Hello;
  /** Every series defined so far; sent in full on each new stream. */
  dictionary(): SeriesDefinition[];
  /**
   * Un-acked batches in sequence order, replayed on each new stream after the dictionary.
   * Read lazily (from disk, with a disk buffer) and live: batches stored while it runs are
   * yielded too. The transport holds new batches back until the replay ends, then sends
   * those the replay did not cover.
   */
  replay(): AsyncIterable<SampleBatch>;
  onWelcome(welcome: Welcome): void;
  onAck(sequence: bigint): void;
  onReject(sequence: bigint, reason: RejectReason, message: string): void;
  onCommand(command: Command): void;
  onDisconnect(reason: string): void;
}

/**
 * The agent↔hub link. Implementations reconnect on their own with jittered backoff and
 * replay the session preamble; while disconnected, sends are dropped because the batches
 * stay in the agent's buffer until acked.
 */
export interface Transport {
  readonly name: string;
  start(session: TransportSession): void;
  readonly connected: boolean;
  sendDictionary(series: SeriesDefinition[]): void;
  sendBatch(batch: SampleBatch): void;
  sendEvent(event: Event): void;
  /** The outcome of a hub command; dropped while disconnected (the hub times commands out). */
  sendCommandResult(result: CommandResult): void;
  /** Closes the link; safe before start and twice. */
  shutdown(): Promise<void>;
}

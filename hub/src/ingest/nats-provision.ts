import type { Logger } from '@ballast/common';
import { AGENTS_BUCKET, NATS_DATA_SUBJECTS, NATS_STREAM, SERIES_BUCKET } from '@ballast/proto/nats-naming';
import {
  AckPolicy,
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

export interface NatsProvisionOptions {
  /** Durable pull consumer shared by every hub process. */
  consumer: string;
  ackWaitMs: number;
  /** Messages delivered and not yet acked, across all hubs: the backpressure bound. */
  maxAckPending: number;
  streamMaxBytes: number;
  /** Longest a message or KV entry is kept (unconsumed data older than this is lost). */
  maxAgeMs: number;
}

const NS_PER_MS = 1_000_000;

/**
 * Creates (or adopts) what the NATS transport needs; the hub does it so agents need no
 * admin rights. One stream for every cluster rather than one per cluster: a per-cluster
 * stream would have to exist before the cluster's first agent publishes (the hub cannot
 * know it yet) and would need a consumer per stream per hub. Clusters stay separable by
 * subject (`ballast.<tenant>.<cluster>.>`) for filtered consumers later.
 *
 * Work-queue retention with discard-new: a message leaves the stream when a hub acks it
 * (after ClickHouse has it), and a full stream refuses publishes instead of dropping the
 * oldest unconsumed data — the agents then keep their batches on disk, so a long hub
 * outage loses nothing. (Limits retention with discard-old would silently drop batches the
 * agents already had acked.) max_age stays as the last bound on disk use.
 */
export async function provisionNats(nc: NatsConnection, o: NatsProvisionOptions, log: Logger): Promise<{ series: KV; agents: KV }> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(
    jsm,
    {
      name: NATS_STREAM,
      subjects: [NATS_DATA_SUBJECTS],
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.New,
      storage: StorageType.File,
      max_bytes: o.streamMaxBytes,
      max_age: o.maxAgeMs * NS_PER_MS,
      // Publish dedupe by Nats-Msg-Id covers re-publishes after a lost ack; older repeats are the ledger's.
      duplicate_window: 120_000 * NS_PER_MS,
    },
    log,
  );
  const consumer = {
    durable_name: o.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: o.ackWaitMs * NS_PER_MS,
    max_ack_pending: o.maxAckPending,
    // Poison messages are terminated by the hub; this only bounds a message that keeps failing for passing reasons.
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(NATS_STREAM, o.consumer);
    await jsm.consumers.update(NATS_STREAM, o.consumer, {
      ack_wait: consumer.ack_wait,
      max_ack_pending: consumer.max_ack_pending,
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(NATS_STREAM, consumer);
    log.info('created the shared JetStream consumer', { stream: NATS_STREAM, consumer: o.consumer });
  }
  const kvm = new Kvm(nc);
  const bucket = async (name: string) => {
    try {
      return await kvm.create(name, { history: 1, ttl: o.maxAgeMs, storage: StorageType.File });
    } catch (err) {
      // Made earlier with other settings: use it as it is.
      log.warn('using the existing KV bucket as it is', { bucket: name, err });
      const kv = await kvm.open(name);
      await kv.status();
      return kv;
    }
  };
  return { series: await bucket(SERIES_BUCKET), agents: await bucket(AGENTS_BUCKET) };
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }, log: Logger): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    // Two hubs starting together both get here; adding an identical stream twice is fine.
    await jsm.streams.add(config);
    log.info('created the JetStream stream', { stream: config.name, subjects: config.subjects });
    return;
  }
  try {
    await jsm.streams.update(config.name, { subjects: config.subjects, max_bytes: config.max_bytes, max_age: config.max_age });
  } catch (err) {
    log.warn('cannot update the JetStream stream; using it as it is', { stream: config.name, err });
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}

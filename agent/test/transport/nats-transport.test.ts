import { type Logger, systemClock } from '@ballast/common';
import {
  type Command,
  HelloSchema,
  HubMessageSchema,
  type SampleBatch,
  SampleBatchSchema,
  type SeriesDefinition,
  SeriesDefinitionSchema,
  SeriesDictionarySchema,
} from '@ballast/proto';
import { type NatsServerHandle, startNatsServer, waitFor } from '@ballast/testkit';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The hub provisions the stream and buckets in production; the test uses the same code.
import { provisionNats } from '../../../hub/src/ingest/nats-provision.ts';
import { NatsTransport } from '../../src/transport/nats-transport.ts';
import type { TransportSession } from '../../src/transport/transport.ts';

const NODE = 'ip-10-0-0-1.ec2.internal';
const EPOCH = 42n;

function recordingLog(lines: Array<Record<string, unknown>>): Logger {
  const log: Logger = {
    info: (msg, f) => lines.push({ level: 'info', msg, ...f }),
    warn: (msg, f) => lines.push({ level: 'warn', msg, ...f }),
    error: (msg, f) => lines.push({ level: 'error', msg, ...f }),
    child: () => log,
  };
  return log;
}

function fakeSession(buffered: SampleBatch[], dictionary: SeriesDefinition[]) {
  const acks: bigint[] = [];
  const commands: Command[] = [];
  const session: TransportSession = {
    hello: () => create(HelloSchema, { cluster: 'c1', node: NODE, epoch: EPOCH, instanceId: 'i-1', agentVersion: 't' }),
    dictionary: () => dictionary,
    replay: async function* () {
      yield* buffered.filter((b) => !acks.includes(b.sequence));
    },
    onWelcome: () => {},
    onAck: (seq) => acks.push(seq),
    onReject: () => {},
    onCommand: (c) => commands.push(c),
    onDisconnect: () => {},
  };
  return { session, acks, commands };
}

const batch = (sequence: bigint, seriesId: number) =>
  create(SampleBatchSchema, { sequence, baseTimeMs: 1_000n, seriesIds: [seriesId], timeOffsetsMs: [0], values: [1] });
const defs = (n: number) => Array.from({ length: n }, (_, i) => create(SeriesDefinitionSchema, { id: i + 1, metric: `m_${i + 1}` }));

describe('NatsTransport against a real nats-server', () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  const silent = recordingLog([]);

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  it('says clearly that the stream is missing, retries, then replays once the hub has provisioned', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const dictionary = defs(1500);
    const { session, acks } = fakeSession([batch(1n, 1), batch(2n, 1500)], dictionary);
    const transport = new NatsTransport({ url: nats.url, reconnectMinMs: 50, reconnectMaxMs: 200 }, systemClock, recordingLog(lines));
    transport.start(session);
    try {
      const lost = await waitFor('a retry log line', () => lines.find((l) => l.msg === 'NATS link lost; retrying'));
      expect(String(lost.reason)).toContain('stream BALLAST is not available');
      expect(transport.connected).toBe(false);

      await provisionNats(
        nc,
        { consumer: 'ballast-hub', ackWaitMs: 30_000, maxAckPending: 100, streamMaxBytes: 64 << 20, maxAgeMs: 3_600_000 },
        silent,
      );
      await waitFor('both buffered batches acked', () => acks.length === 2 && transport.connected);
      expect(acks).toEqual([1n, 2n]);

      // The dictionary went to KV first, in chunks of 1024 series, so any hub can read batch 2's series 1500.
      const kv = await new Kvm(nc).open('ballast_series');
      const chunk = async (k: number) =>
        fromBinary(SeriesDictionarySchema, (await kv.get(`=.c1.ip-10-0-0-1=2eec2=2einternal.42.${k}`))?.value ?? new Uint8Array()).series;
      expect((await chunk(0)).map((d) => d.id)).toEqual(dictionary.slice(0, 1024).map((d) => d.id));
      expect((await chunk(1)).map((d) => d.id)).toEqual(dictionary.slice(1024).map((d) => d.id));

      // Live batches carry their identity in headers and a dedupe id.
      transport.sendBatch(batch(3n, 7));
      await waitFor('batch 3 acked', () => acks.includes(3n));
      const jsm = await jetstreamManager(nc);
      const stored = await jsm.streams.getMessage('BALLAST', { last_by_subj: 'ballast.=.c1.ip-10-0-0-1=2eec2=2einternal.data' });
      expect(stored?.header.get('Nats-Msg-Id')).toBe('=:c1:ip-10-0-0-1=2eec2=2einternal:42:3');
      expect(stored?.header.get('Ballast-Node')).toBe(NODE);
      expect(stored?.header.get('Ballast-Sequence')).toBe('3');

      // Re-publishing a batch (a lost ack) is deduplicated by the stream and still acked.
      const count = (await jsm.streams.info('BALLAST')).state.messages;
      transport.sendBatch(batch(3n, 7));
      await waitFor('duplicate acked', () => acks.filter((s) => s === 3n).length === 2);
      expect((await jsm.streams.info('BALLAST')).state.messages).toBe(count);
    } finally {
      await transport.shutdown();
    }
  });

  it('delivers hub commands from the core subject, and keeps going across a NATS restart', async () => {
    const { session, acks, commands } = fakeSession([], defs(3));
    const transport = new NatsTransport({ url: nats.url, reconnectMinMs: 50, reconnectMaxMs: 200 }, systemClock, silent);
    transport.start(session);
    try {
      await waitFor('connected', () => transport.connected);
      const command = create(HubMessageSchema, { kind: { case: 'command', value: { id: 'cmd-1', kind: { case: 'cordon', value: {} } } } });
      nc.publish('ballast.=.c1.ip-10-0-0-1=2eec2=2einternal.cmd', toBinary(HubMessageSchema, command));
      await waitFor('command received', () => commands.length === 1);
      expect(commands[0]?.id).toBe('cmd-1');

      await nats.restart();
      await waitFor('reconnected', () => transport.connected, 15_000);
      transport.sendBatch(batch(10n, 2));
      await waitFor('acked after the restart', () => acks.includes(10n));
    } finally {
      await transport.shutdown();
    }
  });
});

import { type ClientRequest, request } from 'node:http';
import { wallNow } from './messages.ts';

/** Deliveries seen by a set of SSE subscribers: publish → receipt delays, in ms. */
export interface Subscribers {
  delaysMs: number[];
  /** From the moment each event was due to be published (includes the hub's stalls before publishing). */
  fromDueMs: number[];
  /** Interruption events each subscriber received, by subscriber. */
  received: number[];
  /** Anything but the expected frames (drops, resets, parse failures). */
  anomalies: string[];
  close(): void;
}

/**
 * Opens `count` Server-Sent Events subscriptions to GET /api/v1/stream, as the console's
 * EventSource does (Accept: text/event-stream), each with its own bearer token, and resolves
 * once every one has its `ready` frame. Each `interruption` frame's delay is the receipt time
 * minus the `sentAt` the hub stamped, minus `hubAheadMs` (how far the hub's wall clock reads
 * ahead of this process's).
 */
export async function openSubscribers(
  baseUrl: string,
  tokens: string[],
  count: number,
  hubAheadMs: number,
  path = '/api/v1/stream?kinds=interruption',
): Promise<Subscribers> {
  const out: Subscribers = { delaysMs: [], fromDueMs: [], received: Array(count).fill(0), anomalies: [], close: () => undefined };
  const requests: ClientRequest[] = [];
  const opened = Array.from(
    { length: count },
    (_, i) =>
      new Promise<void>((resolve, reject) => {
        const req = request(`${baseUrl}${path}`, {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${tokens[i % tokens.length]}` },
        });
        requests.push(req);
        req.on('error', (err) => {
          out.anomalies.push(`subscriber ${i}: ${err.message}`);
          reject(err);
        });
        req.on('response', (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`subscriber ${i}: the stream answered ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          let buffered = '';
          res.on('data', (chunk: string) => {
            const at = wallNow();
            buffered += chunk;
            let end = buffered.indexOf('\n\n');
            while (end >= 0) {
              const frame = buffered.slice(0, end);
              buffered = buffered.slice(end + 2);
              end = buffered.indexOf('\n\n');
              const name = /^event: (.*)$/m.exec(frame)?.[1];
              const data = /^data: (.*)$/m.exec(frame)?.[1];
              if (name === 'ready') resolve();
              else if (name === 'interruption' && data) {
                const a = (JSON.parse(data) as { data: { attributes: { sentAt: string; dueAt: string } } }).data.attributes;
                out.delaysMs.push(at - Number(a.sentAt) - hubAheadMs);
                out.fromDueMs.push(at - Number(a.dueAt) - hubAheadMs);
                out.received[i] = (out.received[i] as number) + 1;
              } else if (name !== undefined && name !== 'heartbeat')
                out.anomalies.push(`subscriber ${i}: ${name} ${data ?? ''}`.slice(0, 200));
            }
          });
        });
        req.end();
      }),
  );
  out.close = () => {
    for (const r of requests) r.destroy();
  };
  try {
    await Promise.all(opened);
  } catch (err) {
    out.close();
    throw err;
  }
  return out;
}

import type { EC2Client } from '@aws-sdk/client-ec2';
import { toCloudError } from './aws-error-mapping.ts';
import type { CloudErrorDetails } from './cloud-error.ts';

/** One port call as the provider saw it, for metrics and the pipeline-status page. */
export interface CloudCallRecord {
  operation: string;
  /** EC2 requests made for it: pages and retries included. */
  requests: number;
  durationMs: number;
  /** The CloudError code when it failed. */
  error?: string;
}

/** What the AWS operation modules share: the client, paging limits and the call wrapper. */
export interface AwsContext {
  client: EC2Client;
  pageSize: number | undefined;
  maxPages: number;
  /**
   * Runs one port call: counts its EC2 requests, maps any failure to a CloudError and
   * reports the call. `send` must be used for every request so the count is right.
   */
  call<T>(operation: string, body: (send: Sender) => Promise<T>, details?: Omit<CloudErrorDetails, 'operation' | 'cause'>): Promise<T>;
}

/** EC2Client.send, counted; typed loosely because each command has its own output type. */
export type Sender = EC2Client['send'];

export function createAwsContext(
  client: EC2Client,
  options: { pageSize?: number | undefined; maxPages?: number | undefined; observe?: ((call: CloudCallRecord) => void) | undefined },
): AwsContext {
  return {
    client,
    pageSize: options.pageSize,
    maxPages: options.maxPages ?? 10_000,
    async call(operation, body, details) {
      const started = performance.now();
      let requests = 0;
      // Each request's own attempts ($metadata.attempts), so SDK retries count too.
      const send = (async (command: Parameters<Sender>[0]) => {
        try {
          const out = (await client.send(command)) as { $metadata?: { attempts?: number } };
          requests += out.$metadata?.attempts ?? 1;
          return out;
        } catch (err) {
          requests += (err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
          throw err;
        }
      }) as Sender;
      const report = (error?: string) => {
        try {
          options.observe?.({ operation, requests, durationMs: performance.now() - started, ...(error ? { error } : {}) });
        } catch {
          // An observer's failure must not turn the call's outcome into another.
        }
      };
      try {
        const out = await body(send);
        report();
        return out;
      } catch (err) {
        const mapped = toCloudError(err, operation, details);
        report(mapped.code);
        throw mapped;
      }
    },
  };
}

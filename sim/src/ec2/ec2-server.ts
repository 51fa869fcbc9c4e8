import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@ballast/common';
import type { Fleet } from '../core/fleet.ts';
import type { Rng } from '../core/rng.ts';
import type { SpotMarket } from '../market/spot-market.ts';
import type { ActionHandler, Ec2Context } from './context.ts';
import { Ec2Error, errors } from './errors.ts';
import { fleetRequestActions } from './fleet-requests.ts';
import { imageActions } from './images.ts';
import { instanceTypeActions } from './instance-types.ts';
import { instanceActions } from './instances.ts';
import { QueryParams } from './query-parser.ts';
import { seedAccount } from './seed.ts';
import { snapshotActions } from './snapshots.ts';
import { spotPriceActions } from './spot-prices.ts';
import { Ec2State } from './state.ts';
import { tagActions } from './tags.ts';
import { volumeActions } from './volumes.ts';
import { actionResponse, errorResponse } from './xml.ts';
import { zoneActions } from './zones.ts';

export const EC2_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ...instanceActions,
  ...fleetRequestActions,
  ...instanceTypeActions,
  ...spotPriceActions,
  ...zoneActions,
  ...tagActions,
  ...volumeActions,
  ...snapshotActions,
  ...imageActions,
};

export interface Ec2ServerOptions {
  fleet: Fleet;
  market: SpotMarket;
  clock: Clock;
  rng: Rng;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seed images, snapshots and leftover volumes (default true). */
  seed?: boolean;
}

export interface Ec2Server {
  url: string;
  port: number;
  state: Ec2State;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw errors.invalidValue('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves the EC2 Query protocol (form-encoded POST, or GET with a query string) so the
 * unmodified @aws-sdk/client-ec2 can use it as its endpoint. Requests must carry a SigV4
 * Authorization header, which is accepted without verification.
 */
export async function startEc2Server(options: Ec2ServerOptions): Promise<Ec2Server> {
  const { fleet, market, clock, rng } = options;
  const state = new Ec2State(fleet, clock, market.zones, rng);
  if (options.seed !== false) seedAccount(state);
  market.capacity.track(fleet);

  const handle = async (req: IncomingMessage): Promise<{ status: number; body: string }> => {
    const requestId = randomUUID();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      const pairs: Array<[string, string]> = [...url.searchParams, ...new URLSearchParams(body)];
      if (!req.headers.authorization) throw errors.authFailure();
      const params = QueryParams.parse(pairs);
      const action = params.string('Action');
      if (!action) throw errors.missing('Action');
      const handler = EC2_ACTIONS[action];
      if (!handler) throw errors.invalidAction(action);
      if (state.denyActions.has(action)) throw errors.unauthorized(action);
      const fault = state.takeFault(action);
      if (fault) throw errors.fault(fault);
      if (params.bool('DryRun')) throw errors.dryRun();
      const ctx: Ec2Context = { action, params, fleet, market, clock, state };
      return { status: 200, body: actionResponse(action, requestId, handler(ctx)) };
    } catch (err) {
      const e =
        err instanceof Ec2Error
          ? err
          : new Ec2Error('InternalError', `An internal error has occurred: ${(err as Error).message}`, { cause: err });
      return { status: e.status, body: errorResponse(e.code, e.message, requestId) };
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req).then(({ status, body }) => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

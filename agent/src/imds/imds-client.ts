import type { Clock } from '@ballast/common';

export interface ImdsClientOptions {
  /** Base URL, e.g. http://169.254.169.254 (AWS) or the simulator's per-instance endpoint. */
  endpoint: string;
  /** Token lifetime asked for; the token is refreshed a minute (at most half its life) before it ends. */
  tokenTtlSeconds: number;
  /** Fall back to IMDSv1 (no token) when the token call is refused. */
  allowV1: boolean;
  timeoutMs: number;
}

export interface ImdsAnswer {
  status: number;
  body: string;
}

/**
 * Why a call failed, so callers (the monitors) can count failures by cause:
 * `timeout` — no full answer within timeoutMs; `unreachable` — connection refused, reset, …;
 * `token` — the IMDSv2 token call answered something unusable; `status` — a GET answered
 * a status the caller could not use (getText only).
 */
export type ImdsErrorKind = 'timeout' | 'unreachable' | 'token' | 'status';

/** The metadata service could not be reached or answered in a way we cannot use. */
export class ImdsError extends Error {
  override readonly name = 'ImdsError';
  readonly kind: ImdsErrorKind;
  constructor(message: string, options: { cause?: unknown; kind?: ImdsErrorKind } = {}) {
    super(message, { cause: options.cause });
    this.kind = options.kind ?? 'status';
  }
}

/**
 * Minimal IMDS client: IMDSv2 session tokens with refresh, v1 fallback when allowed, a
 * timeout on every call. 404 is an answer, not an error (it means "no notice yet").
 * One client is shared by every monitor of a node, so token fetches are single-flight.
 */
export class ImdsClient {
  private token: string | null = null;
  private tokenExpiresAt = 0;
  private tokenRequest: Promise<string | null> | null = null;
  private v1 = false;

  constructor(
    private readonly options: ImdsClientOptions,
    private readonly clock: Clock,
  ) {}

  async get(path: string): Promise<ImdsAnswer> {
    const token = await this.ensureToken();
    let res = await this.fetch(path, { headers: token ? { 'X-aws-ec2-metadata-token': token } : {} });
    if (res.status === 401) {
      // The token was revoked or expired early (clock skew, or its clock is not ours), or the
      // instance was switched to IMDSv2-only after we fell back to v1: get a token and retry once.
      if (token && this.token === token) this.token = null;
      this.v1 = false;
      const fresh = await this.ensureToken();
      if (fresh) res = await this.fetch(path, { headers: { 'X-aws-ec2-metadata-token': fresh } });
    }
    return res;
  }

  /** GET that must answer 200; anything else is an ImdsError naming the path and status. */
  async getText(path: string): Promise<string> {
    const a = await this.get(path);
    if (a.status !== 200) throw new ImdsError(`IMDS ${path} answered ${a.status}`, { kind: 'status' });
    return a.body.trim();
  }

  private ensureToken(): Promise<string | null> {
    if (this.v1) return Promise.resolve(null);
    if (this.token && this.clock.now() < this.tokenExpiresAt - this.refreshMarginMs()) return Promise.resolve(this.token);
    // Concurrent callers (three monitors polling at once) share one PUT instead of each minting a token.
    this.tokenRequest ??= this.requestToken().finally(() => {
      this.tokenRequest = null;
    });
    return this.tokenRequest;
  }

  /** A minute before expiry, but never more than half the lifetime: a short TTL must not mean a PUT per GET. */
  private refreshMarginMs(): number {
    return Math.min(60_000, (this.options.tokenTtlSeconds * 1000) / 2);
  }

  private async requestToken(): Promise<string | null> {
    const res = await this.fetch('/latest/api/token', {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(this.options.tokenTtlSeconds) },
    });
    if (res.status === 200 && res.body.trim() !== '') {
      this.token = res.body.trim();
      this.tokenExpiresAt = this.clock.now() + this.options.tokenTtlSeconds * 1000;
      return this.token;
    }
    if (this.options.allowV1 && [403, 404, 405].includes(res.status)) {
      this.v1 = true;
      return null;
    }
    throw new ImdsError(`IMDS token request answered ${res.status}${this.options.allowV1 ? '' : ' (IMDSv1 fallback is off)'}`, {
      kind: 'token',
    });
  }

  /** One request, body included, under one timeout: a server that stalls mid-body is a timeout too. */
  private async fetch(path: string, init: RequestInit): Promise<ImdsAnswer> {
    try {
      const res = await fetch(new URL(path, this.options.endpoint), { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
      return { status: res.status, body: await res.text() };
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const why = timedOut
        ? `timed out after ${this.options.timeoutMs} ms`
        : `unreachable at ${this.options.endpoint}: ${(err as Error).message}`;
      throw new ImdsError(`IMDS ${path} ${why}`, { cause: err, kind: timedOut ? 'timeout' : 'unreachable' });
    }
  }
}

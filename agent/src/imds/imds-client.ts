import type { Clock } from '@ballast/common';

export interface ImdsClientOptions {
  /** Base URL, e.g. http://169.254.169.254 (AWS) or the simulator's per-instance endpoint. */
  endpoint: string;
  /** Token lifetime asked for; the token is refreshed a minute before it ends. */
  tokenTtlSeconds: number;
  /** Fall back to IMDSv1 (no token) when the token call is refused. */
  allowV1: boolean;
  timeoutMs: number;
}

export interface ImdsAnswer {
  status: number;
  body: string;
}

/** The metadata service could not be reached or answered in a way we cannot use. */
export class ImdsError extends Error {
  override readonly name = 'ImdsError';
}

/**
 * Minimal IMDS client: IMDSv2 session tokens with refresh, v1 fallback when allowed, a
 * timeout on every call. 404 is an answer, not an error (it means "no notice yet").
 */
export class ImdsClient {
  private token: string | null = null;
  private tokenExpiresAt = 0;
  private v1 = false;

  constructor(
    private readonly options: ImdsClientOptions,
    private readonly clock: Clock,
  ) {}

  async get(path: string): Promise<ImdsAnswer> {
    const headers: Record<string, string> = {};
    const token = await this.ensureToken();
    if (token) headers['X-aws-ec2-metadata-token'] = token;
    let res = await this.fetch(path, { headers });
    if (res.status === 401 && token) {
      // The token was revoked or the clock jumped: get a new one once.
      this.token = null;
      const fresh = await this.ensureToken();
      if (fresh) res = await this.fetch(path, { headers: { 'X-aws-ec2-metadata-token': fresh } });
    }
    return { status: res.status, body: await res.text() };
  }

  /** GET that must answer 200; anything else is an ImdsError naming the path and status. */
  async getText(path: string): Promise<string> {
    const a = await this.get(path);
    if (a.status !== 200) throw new ImdsError(`IMDS ${path} answered ${a.status}`);
    return a.body.trim();
  }

  private async ensureToken(): Promise<string | null> {
    if (this.v1) return null;
    if (this.token && this.clock.now() < this.tokenExpiresAt - 60_000) return this.token;
    const res = await this.fetch('/latest/api/token', {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(this.options.tokenTtlSeconds) },
    });
    if (res.status === 200) {
      this.token = (await res.text()).trim();
      this.tokenExpiresAt = this.clock.now() + this.options.tokenTtlSeconds * 1000;
      return this.token;
    }
    await res.body?.cancel();
    if (this.options.allowV1 && [403, 404, 405].includes(res.status)) {
      this.v1 = true;
      return null;
    }
    throw new ImdsError(`IMDS token request answered ${res.status}${this.options.allowV1 ? '' : ' (IMDSv1 fallback is off)'}`);
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(new URL(path, this.options.endpoint), { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (err) {
      throw new ImdsError(`IMDS ${path} unreachable at ${this.options.endpoint}: ${(err as Error).message}`, { cause: err });
    }
  }
}

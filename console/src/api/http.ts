import { ApiError, toApiError } from './api-error.ts';

/**
 * The one way the console talks to the hub: same-origin cookies, the anti-CSRF token on every
 * state-changing request, the hub's error body mapped to ApiError, and a 401 handed to the
 * session so the user lands on sign-in instead of a page of errors.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

interface Hooks {
  csrfToken: () => string | undefined;
  onUnauthorized: (err: ApiError) => void;
}

let hooks: Hooks = { csrfToken: () => undefined, onUnauthorized: () => {} };

/** Installed once by the session store; kept as a hook so this module has no UI imports. */
export function configureHttp(h: Hooks): void {
  hooks = h;
}

export const CSRF_COOKIE = 'ballast_csrf';

/** The readable CSRF cookie the hub sets at sign-in: survives a page reload when the store does not. */
export function csrfFromCookie(cookie: string): string | undefined {
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === CSRF_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function withQuery(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.set(k, String(v));
  }
  const s = params.toString();
  return s === '' ? path : `${path}?${s}`;
}

async function send(method: Method, path: string, opts: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (method !== 'GET') {
    const csrf = hooks.csrfToken() ?? csrfFromCookie(document.cookie);
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (cause) {
    if (opts.signal?.aborted) throw cause;
    throw new ApiError('The hub did not answer: check your connection', 0, 'NETWORK', undefined, { cause });
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401) hooks.onUnauthorized(err);
    throw err;
  }
  return res;
}

export async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts, 'application/json');
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts);
export const post = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body: body ?? {} });
export const put = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body });
export const patch = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body });
export const del = <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts);

/** A CSV download through the same credentials; returns the text so the caller saves it. */
export async function getText(path: string, opts: RequestOptions = {}, accept = 'text/csv'): Promise<string> {
  const res = await send('GET', path, opts, accept);
  return res.text();
}

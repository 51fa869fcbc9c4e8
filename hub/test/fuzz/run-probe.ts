import type { FastifyInstance } from 'fastify';
import { API_ERRORS } from '../../src/errors/api-error.ts';
import type { Probe } from './fuzz-plan.ts';

export interface ProbeResult {
  status: number;
  /** What is wrong with the answer, or null when it is what the probe expects. */
  problem: string | null;
  parameter?: string;
}

const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * Sends one probe (as the caller whose headers are given) and checks the answer: never a
 * 5xx; a 4xx in the API's error shape, with a registry code whose status it is; every 400
 * naming a parameter, and the mutated field when the probe mutated one; and a refusal
 * wherever the probe is one.
 */
export async function runProbe(app: FastifyInstance, probe: Probe, headers: Record<string, string>): Promise<ProbeResult> {
  const res = await app.inject({
    method: probe.method as 'POST',
    url: probe.url,
    headers: { ...headers, ...(probe.contentType ? { 'content-type': probe.contentType } : {}) },
    ...(probe.payload === undefined ? {} : { payload: probe.payload }),
  });
  const status = res.statusCode;
  if (status >= 500) return { status, problem: `${status}: ${clip(res.body)}` };
  let parameter: string | undefined;
  if (status >= 400) {
    let body: unknown;
    try {
      body = res.json();
    } catch {
      return { status, problem: `${status} with a body that is not JSON: ${clip(res.body)}` };
    }
    const error = (body as { error?: { code?: unknown; message?: unknown; parameter?: unknown } }).error;
    if (typeof error?.code !== 'string' || typeof error.message !== 'string')
      return { status, problem: `${status} without the API error shape: ${clip(res.body)}` };
    parameter = typeof error.parameter === 'string' ? error.parameter : undefined;
    const registered = (API_ERRORS as Record<string, number>)[error.code];
    if (registered !== status)
      return { status, problem: `${status} with code ${error.code}, which the registry gives ${registered}`, parameter };
    if (status === 400 && parameter === undefined) return { status, problem: `a 400 that names no parameter: ${clip(res.body)}` };
  }
  const e = probe.expect;
  if (e.kind === 'no-op') return { status, problem: null, parameter };
  if (status < 400) return { status, problem: `accepted (${status}) a request it must refuse: ${clip(res.body)}`, parameter };
  if (e.kind === 'field') {
    const named = parameter === e.field || parameter?.startsWith(`${e.field}[`) || parameter?.startsWith(`${e.field}.`);
    if (status !== 400 || !named) return { status, problem: `wanted 400 naming ${e.field}, got ${status}: ${clip(res.body)}`, parameter };
  }
  return { status, problem: null, parameter };
}

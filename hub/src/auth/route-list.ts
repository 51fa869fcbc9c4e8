import type { FastifyInstance } from 'fastify';
import type { RouteEntry } from './route-policy.ts';

const LINE = /^(?<indent>[│ ]*)[├└]── (?<segment>.*?)(?: \((?<methods>[A-Z]+(?:, [A-Z]+)*)\))?$/u;

/**
 * Every route a built (ready) Fastify instance serves, method by method, read from its
 * route tree (`printRoutes`): Fastify has no other way to list the routes of an instance
 * someone else built. A line's segment continues its parent's path, so each route's URL is
 * the concatenation down the tree.
 */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = LINE.exec(line);
    if (!m?.groups) continue;
    const depth = [...(m.groups.indent ?? '')].length / 4;
    const segment = m.groups.segment ?? '';
    // The root '/' is not printed when no route is registered on it: its children then lack the slash.
    const url = depth === 0 && !segment.startsWith('/') ? `/${segment}` : (stack[depth - 1] ?? '') + segment;
    stack.length = depth;
    stack.push(url);
    for (const method of m.groups.methods?.split(', ') ?? []) out.push({ method, url });
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import { agent, type MetricsContractContext, tenantFor } from './context.ts';

/** Registers the contract's tests of agent records: newest report wins, listed per tenant or for all. */
export function describeAgents(ctx: MetricsContractContext): void {
  describe('agents', () => {
    it('upsertAgents twice: listAgents shows the newer lastSeen and connected flag', async () => {
      const tenant = tenantFor('agents');
      const first = agent(tenant, { connected: true, lastSeenMs: Date.UTC(2025, 0, 1, 0, 0, 0, 123) });
      const second = agent(tenant, { connected: false, lastSeenMs: Date.UTC(2025, 0, 1, 0, 5, 0, 456) });
      await ctx.store.upsertAgents([first]);
      await ctx.store.upsertAgents([second]);
      expect(await ctx.store.listAgents(tenant)).toEqual([second]);
    });

    it('an older report does not replace a newer one', async () => {
      const tenant = tenantFor('agents-stale');
      const newer = agent(tenant, { connected: true, lastSeenMs: Date.UTC(2025, 0, 2) });
      await ctx.store.upsertAgents([newer]);
      await ctx.store.upsertAgents([agent(tenant, { connected: false, lastSeenMs: Date.UTC(2025, 0, 1) })]);
      expect(await ctx.store.listAgents(tenant)).toEqual([newer]);
    });

    it('tenant filter: a tenant sees only its agents; null lists every tenant', async () => {
      const a = tenantFor('agents-a');
      const b = tenantFor('agents-b');
      const a1 = agent(a, { node: 'n2' });
      const a2 = agent(a, { node: 'n1', cluster: 'c2' });
      const b1 = agent(b);
      await ctx.store.upsertAgents([a1, a2, b1]);
      expect(await ctx.store.listAgents(a)).toEqual([agent(a, { node: 'n2' }), a2]); // ordered by cluster, node
      expect(await ctx.store.listAgents(b)).toEqual([b1]);
      expect(await ctx.store.listAgents(tenantFor('agents-none'))).toEqual([]);
      const everyone = await ctx.store.listAgents(null);
      expect(everyone).toEqual(expect.arrayContaining([a1, a2, b1]));
    });
  });
}

import { describe, expect, it } from 'vitest';
import { AuditRepository, TenantRepository } from '../../../hub/src/state/index.ts';
import { type ContractContext, rejection, T0, tag } from './context.ts';

export function describeErrors(ctx: ContractContext): void {
  describe('errors', () => {
    it('map unique, foreign key, check, input and syntax errors to typed codes with the constraint', async () => {
      const tenants = new TenantRepository(ctx.store);
      const id = `err-${tag()}`;
      await tenants.createClient({ id, name: 'A' }, T0);
      const dup = await rejection(tenants.createClient({ id, name: 'B' }, T0));
      expect([dup.code, dup.sqlState, dup.constraint]).toEqual(['conflict', '23505', 'clients_pkey']);
      const fk = await rejection(tenants.createCluster({ clientId: `nobody-${tag()}`, id: 'c', name: 'c' }, T0));
      expect([fk.code, fk.sqlState]).toEqual(['constraint', '23503']);
      const check = await rejection(tenants.createClient({ id: `err-${tag()}`, name: '' }, T0));
      expect([check.code, check.sqlState]).toEqual(['constraint', '23514']);
      const input = await rejection(
        new AuditRepository(ctx.store).append({ actor: 'a', action: 'x', target: 't', result: 'success', sourceIp: 'not-an-ip' }, T0),
      );
      expect([input.code, input.sqlState]).toEqual(['invalid_input', '22P02']);
      const syntax = await rejection(ctx.store.query('SELEC 1'));
      expect([syntax.code, syntax.sqlState]).toEqual(['query_failed', '42601']);
      expect(syntax.cause).toBeDefined();
    });
  });
}

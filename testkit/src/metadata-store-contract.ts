import { afterAll, beforeAll, describe } from 'vitest';
import { describeApprovals } from './metadata-contract/approvals.ts';
import { describeAuditLog } from './metadata-contract/audit-log.ts';
import { createContractContext, type MetadataStoreFixture } from './metadata-contract/context.ts';
import { describeDecisions } from './metadata-contract/decisions.ts';
import { describeErrors } from './metadata-contract/errors.ts';
import { describeJobs } from './metadata-contract/jobs.ts';
import { describeMigrations } from './metadata-contract/migrations.ts';
import { describeOverrides } from './metadata-contract/overrides.ts';
import { describeScoringModels } from './metadata-contract/scoring-models.ts';
import { describeTransactions } from './metadata-contract/transactions.ts';
import { describeUsersSessionsAndTokens } from './metadata-contract/users-sessions-tokens.ts';

export type { MetadataDatabase, MetadataStoreFixture } from './metadata-contract/context.ts';

/**
 * The MetadataStore contract: every implementation (PGlite, PostgreSQL) runs it. Migration
 * tests take fresh databases; the rest share one migrated database and keep apart by
 * tenant (scoring models are hub-wide, so their tests run in order on purpose).
 */
export function metadataStoreContract(name: string, make: () => Promise<MetadataStoreFixture>): void {
  describe(`MetadataStore contract: ${name}`, () => {
    const ctx = createContractContext();

    beforeAll(() => ctx.start(make));
    afterAll(() => ctx.stop());

    describeMigrations(ctx);
    describeTransactions(ctx);
    describeErrors(ctx);
    describeScoringModels(ctx);
    describeDecisions(ctx);
    describeOverrides(ctx);
    describeUsersSessionsAndTokens(ctx);
    describeAuditLog(ctx);
    describeJobs(ctx);
    describeApprovals(ctx);
  });
}

import type { Migration } from '../migrator.ts';
import { migration as tenants } from './001-tenants.ts';
import { migration as scoringModels } from './002-scoring-models.ts';
import { migration as decisions } from './003-decisions.ts';
import { migration as overrides } from './004-overrides.ts';
import { migration as auditLog } from './005-audit-log.ts';

/** Every migration, oldest first. Append only: an applied migration is never edited (its checksum is checked). */
export const MIGRATIONS: readonly Migration[] = [tenants, scoringModels, decisions, overrides, auditLog];

import type { Migration } from '../migrator.ts';
import { migration as tenants } from './001-tenants.ts';
import { migration as scoringModels } from './002-scoring-models.ts';
import { migration as decisions } from './003-decisions.ts';
import { migration as overrides } from './004-overrides.ts';
import { migration as auditLog } from './005-audit-log.ts';
import { migration as jobs } from './006-jobs.ts';
import { migration as approvals } from './007-approvals.ts';
import { migration as users } from './010-users.ts';
import { migration as sessions } from './011-sessions.ts';
import { migration as apiTokens } from './012-api-tokens.ts';
import { migration as enrolmentTokens } from './013-enrolment-tokens.ts';
import { migration as switchHistory } from './014-switch-history.ts';
import { migration as platformSwitches } from './015-platform-switches.ts';
import { migration as decisionLoop } from './017-decision-loop.ts';

/** Every migration, oldest first. Append only: an applied migration is never edited (its checksum is checked). */
export const MIGRATIONS: readonly Migration[] = [
  tenants,
  scoringModels,
  decisions,
  overrides,
  auditLog,
  jobs,
  approvals,
  users,
  sessions,
  apiTokens,
  enrolmentTokens,
  switchHistory,
  platformSwitches,
  decisionLoop,
];

import type { HubConfig } from '../config/hub-config.ts';
import { SINGLE_NODE, type StoreLayout } from './ddl.ts';
import { DEFAULT_RETENTION, type RetentionDays } from './retention.ts';

export interface ClickHouseStoreOptions {
  layout: StoreLayout;
  retention: RetentionDays;
}

export const DEFAULT_STORE_OPTIONS: ClickHouseStoreOptions = { layout: SINGLE_NODE, retention: DEFAULT_RETENTION };

/** The store's options from the hub config; a cluster on chDB is refused naming the field. */
export function storeOptionsFromConfig(
  config: Pick<
    HubConfig,
    | 'store'
    | 'clickhouseCluster'
    | 'clickhouseDatabase'
    | 'retentionRawDays'
    | 'retention1mDays'
    | 'retention1hDays'
    | 'retentionEventsDays'
    | 'retentionLogsDays'
    | 'retentionLedgerDays'
  >,
): ClickHouseStoreOptions {
  if (config.clickhouseCluster && config.store !== 'clickhouse') {
    throw new Error('clickhouseCluster (--clickhouse-cluster, BALLAST_CLICKHOUSE_CLUSTER) needs --store clickhouse: chDB is one node');
  }
  return {
    layout: config.clickhouseCluster ? { cluster: config.clickhouseCluster, database: config.clickhouseDatabase } : SINGLE_NODE,
    retention: {
      raw: config.retentionRawDays,
      oneMinute: config.retention1mDays,
      oneHour: config.retention1hDays,
      events: config.retentionEventsDays,
      logs: config.retentionLogsDays,
      ledger: config.retentionLedgerDays,
    },
  };
}

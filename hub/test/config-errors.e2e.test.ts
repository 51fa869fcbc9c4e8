import { startTsProcess } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';

// A bad deployment value must stop the process at once with a message naming the field.
describe('start-up configuration errors', () => {
  it.each([
    ['hub/src/main.ts', { BALLAST_GRPC_PORT: 'abc' }, [], /grpcPort \(--grpc-port \/ BALLAST_GRPC_PORT\): "abc" is not a whole number/],
    ['hub/src/main.ts', { BALLAST_STORE: 'mysql' }, [], /store .*"mysql" is not one of chdb, clickhouse/],
    ['hub/src/main.ts', { BALLAST_STORE: 'clickhouse', BALLAST_CLICKHOUSE_URL: 'ftp://x' }, [], /clickhouseUrl .*not an http\(s\) URL/],
    ['hub/src/main.ts', {}, ['--no-such-flag', '1'], /--no-such-flag: unknown flag/],
    [
      'agent/src/main.ts',
      { BALLAST_HUB_ADDRESS: 'no-port' },
      [],
      /hubAddress \(--hub-address \/ BALLAST_HUB_ADDRESS\): "no-port" is not host:port/,
    ],
    ['agent/src/main.ts', { BALLAST_COLLECT_INTERVAL_MS: '5' }, [], /collectIntervalMs .*5 is below the minimum 100/],
  ] as const)('%s with %o %o exits 2 naming the field', async (entry, env, args, message) => {
    const proc = startTsProcess('config', entry, { ...env }, [...args]);
    const code = await proc.wait();
    expect(code).toBe(2);
    expect(proc.output.join('\n')).toMatch(message);
  });
});

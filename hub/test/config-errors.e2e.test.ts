import { join } from 'node:path';
import { startHub, startTsProcess, tempDir } from '@ballast/testkit';
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

describe('one hub per chDB data directory', () => {
  it('refuses a second hub on the same directory with a message that says why', async () => {
    const dir = tempDir('lock');
    const first = await startHub({ dataDir: dir.path });
    try {
      const second = startTsProcess('hub2', 'hub/src/main.ts', {
        BALLAST_CHDB_PATH: join(dir.path, 'chdb'),
        // Its own metadata directory, so the chDB lock is what refuses it.
        BALLAST_METADATA_PATH: join(dir.path, 'metadata-second'),
        BALLAST_HTTP_HOST: '127.0.0.1',
        BALLAST_GRPC_HOST: '127.0.0.1',
        PORT: '0',
        BALLAST_GRPC_PORT: '0',
      });
      expect(await second.wait()).toBe(1);
      expect(second.output.join('\n')).toMatch(/another process probably holds it \(chDB allows one process per data directory\)/);
      // The first hub is unharmed.
      expect((await fetch(`${first.httpUrl}/health/ready`)).status).toBe(200);
    } finally {
      await first.process.stop();
      dir.remove();
    }
  });
});

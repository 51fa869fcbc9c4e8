import { afterAll } from 'vitest';
import { BatchBuffer } from '../../src/pipeline/batch-buffer.ts';
import { DiskBatchStore } from '../../src/pipeline/disk-buffer.ts';
import { batchStoreContract } from './batch-store.contract.ts';
import { tempDirs } from './temp-dirs.ts';

const dirs = tempDirs('contract');
afterAll(() => dirs.removeAll());

batchStoreContract('BatchBuffer (memory)', {
  open: async (o) => {
    const s = new BatchBuffer(o?.bounded ? 2_000 : 1_000_000);
    await s.open();
    return s;
  },
  unopened: () => new BatchBuffer(1_000),
});

batchStoreContract('DiskBatchStore', {
  open: async (o) => {
    // 16 KiB in 4 KiB segments holds ~14 of the contract's 100-point batches (~1.1 KB each).
    const s = new DiskBatchStore({ dir: dirs.make(), epoch: 7n, maxBytes: o?.bounded ? 16 * 1024 : 64 * 1024 * 1024, fsync: 'never' });
    await s.open();
    return s;
  },
  unopened: () => new DiskBatchStore({ dir: dirs.make(), epoch: 7n, maxBytes: 1024 * 1024 }),
});

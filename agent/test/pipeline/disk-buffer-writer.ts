// Child process for the SIGKILL test: stores batches as the agent does (batch, then sequence)
// and prints each step only after it returned, until the test kills it with SIGKILL.
// Usage: disk-buffer-writer.ts <dir> <fsync policy>
import { FileAgentState } from '../../src/pipeline/agent-state.ts';
import { DiskBatchStore } from '../../src/pipeline/disk-buffer.ts';
import type { FsyncPolicy } from '../../src/pipeline/record-file.ts';
import { batch } from './batches.ts';

const [dir, policy] = process.argv.slice(2) as [string, FsyncPolicy];
const state = FileAgentState.open(dir, policy, Date.now());
const store = new DiskBatchStore({ dir, epoch: state.epoch, maxBytes: 256 * 1024 * 1024, segmentBytes: 16 * 1024, fsync: policy });
await store.open();
process.stdout.write(`epoch ${state.epoch}\n`);

let seq = Number(state.lastSequence);
for (;;) {
  seq += 1;
  store.add(batch(seq, 40));
  state.recordSequence(BigInt(seq));
  // stdout to a pipe is synchronous on Linux: once this line is out, the add above has returned.
  process.stdout.write(`add ${seq}\n`);
  if (seq % 3 === 0) {
    store.remove(BigInt(seq - 1));
    process.stdout.write(`ack ${seq - 1}\n`);
  }
  // Let the interval fsync timer run now and then, as it would in the agent.
  if (seq % 50 === 0) await new Promise((r) => setImmediate(r));
}

import { type SampleBatch, SampleBatchSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';

/** A batch whose content is a function of its sequence, so a replayed one can be checked field by field. */
export function batch(sequence: number, points = 3): SampleBatch {
  return create(SampleBatchSchema, {
    sequence: BigInt(sequence),
    baseTimeMs: BigInt(1_700_000_000_000 + sequence * 10_000),
    seriesIds: Array.from({ length: points }, (_, i) => i + 1),
    timeOffsetsMs: Array.from({ length: points }, (_, i) => (i % 7) - 3),
    values: Array.from({ length: points }, (_, i) => sequence * 1000 + i + 0.25),
  });
}

export async function collect(it: AsyncIterable<SampleBatch>): Promise<SampleBatch[]> {
  const out: SampleBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

export const nums = (seqs: bigint[]) => seqs.map(Number);

import { useRef, useState } from 'preact/hooks';
import {
  type CardAnswer,
  type FunnelAnswer,
  fetchCards,
  fetchFunnel,
  fetchPipelineStatus,
  ingestRateBetween,
  type PipelineStatus,
} from '../api/fleet-api.ts';
import type { StreamEvent } from '../api/stream.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Funnel } from '../components/funnel.tsx';
import { PipelineTable } from '../components/pipeline-table.tsx';
import { StatCard } from '../components/stat-card.tsx';
import { formatCount, formatMoney, formatPercent } from '../lib/format.ts';
import { usePoll } from '../lib/use-poll.ts';
import { useStream } from '../lib/use-stream.ts';
import { refreshMs } from '../state/config.ts';

/** The events that move the cards; anything else on the stream is left to other pages. */
const CARD_EVENTS = ['interruption', 'rebalance', 'switch', 'job', 'decision', 'agent'];

/** Live operations: four cards, the decision funnel, the hub's components and load. */
export function LiveOpsPage() {
  const cards = usePoll<CardAnswer>(fetchCards, refreshMs.value * 2);
  const funnel = usePoll<FunnelAnswer>((s) => fetchFunnel(24, s), refreshMs.value * 2);
  // The hub reports a running count of stored points; the rate is its change over the last
  // minute of polls (agents report every few seconds, so two polls a second apart may see none).
  const readings = useRef<Array<{ points: number; atMs: number }>>([]);
  const status = usePoll<PipelineStatus>(async (signal) => {
    const answer = await fetchPipelineStatus(signal);
    const now = answer.load.storedPoints === null ? null : { points: answer.load.storedPoints, atMs: Date.now() };
    if (now) readings.current = [...readings.current.filter((r) => now.atMs - r.atMs <= 60_000), now];
    const ingestRate = answer.load.ingestRate ?? ingestRateBetween(readings.current[0] ?? null, now);
    return { ...answer, load: { ...answer.load, ingestRate } };
  }, refreshMs.value * 2);
  const [lastEvent, setLastEvent] = useState<StreamEvent>();

  useStream(undefined, (e) => {
    setLastEvent(e);
    if (CARD_EVENTS.some((k) => e.kind.startsWith(k))) cards.reload();
    if (e.kind.startsWith('decision')) funnel.reload();
  });

  const f = cards.data?.figures;
  const err = (k: keyof CardAnswer['errors']) => cards.data?.errors[k]?.message;
  return (
    <>
      <h1>Live operations</h1>
      {cards.error && <ErrorBanner error={cards.error} what="Could not load the cards" />}
      <div class="cards">
        <StatCard
          testId="card-active"
          label="Active instances"
          value={formatCount(f?.activeInstances.total)}
          detail={f && `${formatCount(f.activeInstances.spot)} spot · ${formatCount(f.activeInstances.onDemand)} on-demand`}
          error={err('activeInstances')}
        />
        <StatCard
          testId="card-risk"
          label="Risk detected (24 h)"
          value={formatCount(f?.risk24h.total)}
          detail={f && `${formatCount(f.risk24h.notices)} notices · ${formatCount(f.risk24h.rebalances)} rebalances`}
          error={err('risk24h')}
        />
        <StatCard
          testId="card-savings"
          label="Cost savings"
          value={formatMoney(f?.savings.realized)}
          detail={f && `${formatMoney(f.savings.projectedMonthly)} projected / month`}
          error={err('savings')}
        />
        <StatCard
          testId="card-optimizations"
          label="Optimizations"
          value={formatCount(f?.optimizations.executed)}
          detail={f && `optimization rate ${formatPercent(f.optimizations.rate)}`}
          error={err('optimizations')}
        />
      </div>
      {lastEvent && (
        <p class="muted" data-testid="last-event" data-event-id={lastEvent.id}>
          Last event: {lastEvent.kind} {typeof lastEvent.data.node === 'string' ? `on ${lastEvent.data.node}` : ''}
        </p>
      )}
      <div class="two-col">
        <section class="panel">
          <h2>Decision funnel (24 h)</h2>
          <AsyncView state={funnel} noun="funnel">
            {(d) => <Funnel stages={d.stages} />}
          </AsyncView>
        </section>
        <section class="panel">
          <h2>Pipeline status</h2>
          <AsyncView state={status} noun="pipeline status" isEmpty={(d) => d.components.length === 0}>
            {(d) => (
              <>
                <PipelineTable components={d.components} />
                <h3>System load</h3>
                <dl class="kv">
                  <dt>Ingest rate</dt>
                  <dd data-testid="ingest-rate">
                    {d.load.ingestRate === null ? 'measuring…' : `${formatCount(Math.round(d.load.ingestRate))} samples/s`}
                  </dd>
                  <dt>Queue depth</dt>
                  <dd data-testid="queue-depth">{d.load.queueDepth === null ? '–' : `${formatCount(d.load.queueDepth)} points`}</dd>
                </dl>
              </>
            )}
          </AsyncView>
        </section>
      </div>
    </>
  );
}

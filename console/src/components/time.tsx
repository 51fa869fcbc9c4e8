import { formatDateTime, timeAgo } from '../lib/format.ts';

/** A time in the user's zone; hover gives the exact ISO value the hub sent. */
export function Time({ iso, nowMs }: { iso: string | null | undefined; nowMs?: number }) {
  if (!iso) return <span class="muted">–</span>;
  return (
    <time dateTime={iso} title={iso}>
      {nowMs === undefined ? formatDateTime(iso) : timeAgo(iso, nowMs)}
    </time>
  );
}

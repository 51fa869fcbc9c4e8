export interface InterfaceCounters {
  interface: string;
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/**
 * Parses Linux /proc/net/dev. Read directly rather than through systeminformation, which
 * reports no packet counts and costs more per call (PERF-NOTES).
 */
export function parseProcNetDev(text: string): InterfaceCounters[] {
  const out: InterfaceCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out.push({
      interface: name,
      rxBytes: f[0] as number,
      rxPackets: f[1] as number,
      rxErrors: f[2] as number,
      rxDropped: f[3] as number,
      txBytes: f[8] as number,
      txPackets: f[9] as number,
      txErrors: f[10] as number,
      txDropped: f[11] as number,
    });
  }
  return out;
}

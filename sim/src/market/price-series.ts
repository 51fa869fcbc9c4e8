export interface PricePoint {
  timeMs: number;
  price: number;
}

/**
 * A step function of price over time: each point holds until the next. Keeps a running
 * integral so time-weighted means over any window cost two binary searches, because the
 * interruption engine asks for a 24-hour mean for every pool every virtual minute.
 */
export class PriceSeries {
  private readonly times: number[] = [];
  private readonly prices: number[] = [];
  /** integral[i] = ∫ price dt from times[0] to times[i] (USD·ms/hour). */
  private readonly integral: number[] = [];

  /** Appends a change; a change at the same instant as the last replaces it. */
  append(timeMs: number, price: number): void {
    const n = this.times.length;
    const lastTime = this.times[n - 1];
    if (lastTime !== undefined && timeMs < lastTime) throw new Error('PriceSeries.append: time went backwards');
    if (lastTime === timeMs) {
      this.prices[n - 1] = price;
      return;
    }
    const prevIntegral = this.integral[n - 1];
    const prevPrice = this.prices[n - 1];
    this.integral.push(
      prevIntegral === undefined || prevPrice === undefined || lastTime === undefined ? 0 : prevIntegral + prevPrice * (timeMs - lastTime),
    );
    this.times.push(timeMs);
    this.prices.push(price);
  }

  get length(): number {
    return this.times.length;
  }

  get firstTimeMs(): number | undefined {
    return this.times[0];
  }

  get lastTimeMs(): number | undefined {
    return this.times[this.times.length - 1];
  }

  /** Index of the last point at or before t, or -1. */
  indexAt(t: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The price in effect at t; undefined before the first point. */
  priceAt(t: number): number | undefined {
    const i = this.indexAt(t);
    return i < 0 ? undefined : this.prices[i];
  }

  private integralTo(t: number): number {
    const i = this.indexAt(t);
    if (i < 0) return 0;
    return (this.integral[i] as number) + (this.prices[i] as number) * (t - (this.times[i] as number));
  }

  /** Time-weighted mean over [fromMs, toMs], clipped to the series' start. */
  meanOver(fromMs: number, toMs: number): number | undefined {
    const first = this.times[0];
    if (first === undefined || toMs < first) return undefined;
    const from = Math.max(fromMs, first);
    if (toMs <= from) return this.priceAt(toMs);
    return (this.integralTo(toMs) - this.integralTo(from)) / (toMs - from);
  }

  /**
   * Points inside [fromMs, toMs] plus the one in effect at fromMs, oldest first: what
   * DescribeSpotPriceHistory returns for a window.
   */
  between(fromMs: number, toMs: number): PricePoint[] {
    const out: PricePoint[] = [];
    const start = Math.max(0, this.indexAt(fromMs));
    for (let i = start; i < this.times.length; i++) {
      const t = this.times[i] as number;
      if (t > toMs) break;
      out.push({ timeMs: t, price: this.prices[i] as number });
    }
    return out;
  }
}

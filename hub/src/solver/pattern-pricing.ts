/** One shape as a knapsack item: its value (the LP dual of its demand row), size and how many may go on a node. */
export interface KnapsackItem {
  shape: number;
  value: number;
  cpu: number;
  mem: number;
  max: number;
}

export interface KnapsackResult {
  /** Per item (same order as given), how many go on the node. */
  counts: number[];
  value: number;
  /** A proven upper bound on the value of any pattern (the value itself when the search is exact). */
  upperBound: number;
  /** The search finished within its node limit, so `upperBound` is tight (or at most `target`). */
  exact: boolean;
}

export interface KnapsackOptions {
  /**
   * Patterns worth at most this are of no use to the caller (they do not price out), so
   * branches that cannot beat it are cut. The search then proves "nothing beats target"
   * quickly near convergence, when that is the only question left. Default 0.
   */
  target?: number;
  nodeLimit?: number;
}

/** Mixes of CPU and memory used for surrogate bounds (each a valid one-dimensional relaxation). */
const LAMBDAS = [0, 0.25, 0.5, 0.75, 1];

/**
 * The pricing problem of column generation: the most valuable set of pods that fits one
 * node (a bounded two-dimensional integer knapsack), by depth-first branch and bound.
 * Items are tried densest first, each at its highest count first. The bound at a branch
 * is the smallest of the fractional fills of the room left under surrogate constraints
 * λ·cpu/C + (1−λ)·mem/M ≤ room, for a few λ (any λ gives a valid relaxation; the
 * smallest is the tightest). With ~20 item types it takes well under a millisecond;
 * `nodeLimit` (default 50,000) guards the rare hard case, which is then reported inexact.
 */
export function bestPattern(items: readonly KnapsackItem[], capCpu: number, capMem: number, options: KnapsackOptions = {}): KnapsackResult {
  const target = options.target ?? 0;
  const nodeLimit = options.nodeLimit ?? 50_000;
  const live = items
    .map((it, i) => ({ ...it, i, c: it.cpu / capCpu, m: it.mem / capMem }))
    .filter((it) => it.value > 1e-12 && it.max > 0 && it.c <= 1 + 1e-12 && it.m <= 1 + 1e-12)
    .sort((a, b) => b.value / Math.max(1e-12, b.c + b.m) - a.value / Math.max(1e-12, a.c + a.m) || a.i - b.i);
  const n = live.length;
  const orders = LAMBDAS.map((l) => {
    const weight = live.map((it) => l * it.c + (1 - l) * it.m);
    const order = live.map((_, j) => j).sort((a, b) => ratio(live[b]?.value, weight[b]) - ratio(live[a]?.value, weight[a]));
    return { l, weight, order };
  });
  // Fractional fill of items from..n−1 into the room left, per λ; the smallest is the bound.
  const bound = (from: number, c: number, m: number) => {
    let best = Number.POSITIVE_INFINITY;
    for (const { l, weight, order } of orders) {
      let room = l * c + (1 - l) * m;
      let v = 0;
      for (const j of order) {
        if (j < from) continue;
        const it = live[j] as (typeof live)[number];
        const w = weight[j] as number;
        if (w <= 0) {
          v += it.value * it.max;
          continue;
        }
        const k = Math.min(it.max, room / w);
        v += k * it.value;
        room -= k * w;
        if (room <= 1e-15) break;
      }
      if (v < best) best = v;
    }
    return best;
  };

  const counts = new Array<number>(n).fill(0);
  let bestValue = 0;
  let bestCounts = counts.slice();
  // Each resource alone is a one-dimensional knapsack that dynamic programming solves
  // exactly: its optimum bounds the real one, and is the real one when it also fits the
  // other resource. That settles the usual case, where the duals follow one resource and
  // branch and bound would drown in ties (every fill of the same CPU is worth the same).
  let rootBound = bound(0, 1, 1);
  for (const dim of ['cpu', 'mem'] as const) {
    const dp = knapsack1d(
      live.map((it) => it.value),
      live.map((it) => it[dim]),
      live.map((it) => it.max),
      dim === 'cpu' ? capCpu : capMem,
    );
    if (!dp) continue;
    rootBound = Math.min(rootBound, dp.value);
    const other = dim === 'cpu' ? 'm' : 'c';
    const fits = dp.counts.reduce((t, k, j) => t + k * ((live[j] as (typeof live)[number])[other] as number), 0) <= 1 + 1e-12;
    if (fits && dp.value > bestValue) {
      bestValue = dp.value;
      bestCounts = dp.counts;
    }
  }
  if (bestValue >= rootBound - 1e-12 || rootBound <= target + 1e-12) {
    // Proven optimal, or nothing can beat the target: no search needed.
    return result(items, live, bestCounts, bestValue, Math.max(bestValue, Math.min(rootBound, target)), true);
  }

  let nodes = 0;
  let limit = 0;
  let exact = true;
  const search = (j: number, c: number, m: number, value: number) => {
    if (++nodes > limit) {
      exact = false;
      return;
    }
    if (value > bestValue + 1e-12) {
      bestValue = value;
      bestCounts = counts.slice();
    }
    const floor = Math.max(bestValue, target) + 1e-12;
    if (j === n || floor >= rootBound || value + bound(j, c, m) <= floor) return;
    const it = live[j] as (typeof live)[number];
    const most = Math.min(it.max, it.c > 0 ? Math.floor(c / it.c + 1e-9) : it.max, it.m > 0 ? Math.floor(m / it.m + 1e-9) : it.max);
    for (let k = most; k >= 0 && exact; k--) {
      counts[j] = k;
      search(j + 1, c - k * it.c, m - k * it.m, value + k * it.value);
    }
    counts[j] = 0;
  };
  /** Runs the search with this node limit; the result if it completed, else null (the incumbent is kept). */
  const searchWithin = (nodeCap: number): KnapsackResult | null => {
    nodes = 0;
    limit = nodeCap;
    exact = true;
    counts.fill(0);
    search(0, 1, 1, 0);
    return exact ? result(items, live, bestCounts, bestValue, Math.max(bestValue, target), true) : null;
  };

  // Both resources bind. Branch and bound from the best one-resource answer usually settles
  // it in a few thousand nodes; if not, the exact two-dimensional DP (when its table is
  // small), and only then branch and bound to its full node limit.
  const quick = searchWithin(QUICK_NODES);
  if (quick) return quick;
  const dp2 = knapsack2d(live, capCpu, capMem);
  if (dp2) return result(items, live, dp2.counts, dp2.value, Math.max(dp2.value, target), true);
  return searchWithin(nodeLimit) ?? result(items, live, bestCounts, bestValue, rootBound, false);
}

/** Branch-and-bound nodes tried before falling back to the two-dimensional DP. */
const QUICK_NODES = 3_000;

function result(
  items: readonly KnapsackItem[],
  live: ReadonlyArray<{ i: number }>,
  counts: number[],
  value: number,
  upperBound: number,
  exact: boolean,
): KnapsackResult {
  const out = new Array<number>(items.length).fill(0);
  live.forEach((it, j) => {
    out[it.i] = counts[j] as number;
  });
  return { counts: out, value, upperBound, exact };
}

/** Above this many capacity units the one-dimensional DP is skipped (branch and bound alone decides). */
const MAX_DP_UNITS = 200_000;

/**
 * Bounded knapsack in one resource by dynamic programming over capacity in units of the
 * sizes' greatest common divisor (requests are whole millicores and MiB, usually round
 * numbers, so a node is a few hundred units). Counts are split in powers of two. Returns
 * undefined when sizes are not whole numbers or the table would be too large.
 */
function knapsack1d(values: number[], sizes: number[], max: number[], capacity: number): { value: number; counts: number[] } | undefined {
  if (!sizes.every((x) => Number.isInteger(x) && x >= 0)) return undefined;
  const unit = sizes.reduce((g, x) => (x > 0 ? gcd(g, x) : g), 0);
  if (unit === 0) return undefined;
  const cap = Math.floor(capacity / unit + 1e-9);
  if (cap > MAX_DP_UNITS) return undefined;
  const pieces: Array<{ item: number; mult: number; size: number; value: number }> = [];
  values.forEach((v, i) => {
    const size = (sizes[i] as number) / unit;
    let left = Math.min(max[i] as number, size > 0 ? Math.floor(cap / size) : (max[i] as number));
    for (let mult = 1; left > 0; mult *= 2) {
      const m = Math.min(mult, left);
      pieces.push({ item: i, mult: m, size: m * size, value: m * v });
      left -= m;
    }
  });
  const best = new Float64Array(cap + 1);
  const take = new Uint8Array(pieces.length * (cap + 1));
  pieces.forEach((q, k) => {
    for (let c = cap; c >= q.size; c--) {
      const v = (best[c - q.size] as number) + q.value;
      if (v > (best[c] as number) + 1e-15) {
        best[c] = v;
        take[k * (cap + 1) + c] = 1;
      }
    }
  });
  const counts = new Array<number>(values.length).fill(0);
  let c = cap;
  for (let k = pieces.length - 1; k >= 0; k--) {
    const q = pieces[k] as (typeof pieces)[number];
    if (take[k * (cap + 1) + c]) {
      counts[q.item] = (counts[q.item] as number) + q.mult;
      c -= q.size;
    }
  }
  return { value: best[cap] as number, counts };
}

/** Above this many (CPU unit × memory unit) cells the two-dimensional DP is skipped. */
const MAX_DP2_CELLS = 250_000;

/** Bounded two-dimensional knapsack by dynamic programming over (CPU, memory) in gcd units; undefined when too large. */
function knapsack2d(
  items: ReadonlyArray<{ value: number; cpu: number; mem: number; max: number }>,
  capCpu: number,
  capMem: number,
): { value: number; counts: number[] } | undefined {
  const units = (sizes: number[], cap: number) => {
    if (!sizes.every((x) => Number.isInteger(x) && x >= 0)) return undefined;
    const unit = sizes.reduce((g, x) => (x > 0 ? gcd(g, x) : g), 0) || 1;
    return { unit, cap: Math.floor(cap / unit + 1e-9) };
  };
  const uc = units(
    items.map((it) => it.cpu),
    capCpu,
  );
  const um = units(
    items.map((it) => it.mem),
    capMem,
  );
  if (!uc || !um || (uc.cap + 1) * (um.cap + 1) > MAX_DP2_CELLS) return undefined;
  const W = um.cap + 1;
  const cells = (uc.cap + 1) * W;
  const pieces: Array<{ item: number; mult: number; c: number; m: number; value: number }> = [];
  items.forEach((it, i) => {
    const c = it.cpu / uc.unit;
    const m = it.mem / um.unit;
    let left = Math.min(it.max, c > 0 ? Math.floor(uc.cap / c) : it.max, m > 0 ? Math.floor(um.cap / m) : it.max);
    for (let mult = 1; left > 0; mult *= 2) {
      const k = Math.min(mult, left);
      pieces.push({ item: i, mult: k, c: k * c, m: k * m, value: k * it.value });
      left -= k;
    }
  });
  const best = new Float64Array(cells);
  const take = new Uint8Array(pieces.length * cells);
  for (let k = 0; k < pieces.length; k++) {
    const q = pieces[k] as (typeof pieces)[number];
    const base = k * cells;
    const shift = q.c * W + q.m;
    for (let c = uc.cap; c >= q.c; c--) {
      const row = c * W;
      for (let m = um.cap; m >= q.m; m--) {
        const at = row + m;
        const v = (best[at - shift] as number) + q.value;
        if (v > (best[at] as number) + 1e-15) {
          best[at] = v;
          take[base + at] = 1;
        }
      }
    }
  }
  const counts = new Array<number>(items.length).fill(0);
  let c = uc.cap;
  let m = um.cap;
  for (let k = pieces.length - 1; k >= 0; k--) {
    const q = pieces[k] as (typeof pieces)[number];
    if (take[k * cells + c * W + m]) {
      counts[q.item] = (counts[q.item] as number) + q.mult;
      c -= q.c;
      m -= q.m;
    }
  }
  return { value: best[uc.cap * W + um.cap] as number, counts };
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

function ratio(value: number | undefined, weight: number | undefined): number {
  if (value === undefined || weight === undefined) return 0;
  return weight <= 0 ? Number.POSITIVE_INFINITY : value / weight;
}

/**
 * Axis ticks at round values (1, 2, 2.5 or 5 × 10^k apart; whole numbers with `integer`), at
 * most `maxCount` intervals from 0 to `max` (one more with `cover`): labels that read well and,
 * spaced by the caller for their width, never overlap. Used by the trace viewer's timeline and
 * the dashboard's charts.
 */
export function niceTicks(max: number, maxCount: number, options: { integer?: boolean; cover?: boolean } = {}): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return options.cover ? [0, 1] : [0];
  const rough = max / Math.max(1, Math.floor(maxCount));
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const multiples = options.integer && magnitude < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = multiples.map((m) => m * magnitude).find((s) => s >= rough * (1 - 1e-9)) ?? 10 * magnitude;
  if (options.integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let i = 0; i * step <= max * (1 + 1e-9); i++) ticks.push(Number((i * step).toPrecision(12)));
  // `cover`: a chart's axis must reach its highest value, so the last tick may lie above it.
  if (options.cover && ticks.at(-1)! < max * (1 - 1e-9)) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

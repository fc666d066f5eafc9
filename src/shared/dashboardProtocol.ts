/**
 * The messages between the extension host and the monitoring dashboard webview, in one file
 * both import, validated with zod/mini (see traceViewerProtocol.ts) on arrival on both sides.
 *
 * The host does all the arithmetic: it sends ready-to-draw charts (series of points with
 * optional intervals and alert markers), each point carrying the traces behind it, so the
 * webview only draws and reports clicks. Every string in here may come from a trace or a user
 * file and is shown as text only.
 */
import * as z from 'zod/mini';

export const DASHBOARD_STATE_ELEMENT_ID = 'costar-dashboard-state';

export const Outcome = z.enum(['passed', 'failed', 'error', 'skipped']);

export const PointTrace = z.object({
  traceId: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  /** What the point's judge said about this trace (absent on metric charts). */
  outcome: z.optional(Outcome),
  /** Scenario id or the trace's input, for the list under the chart. */
  label: z.string(),
  /** A production trace (monitoring), which can be promoted to a scenario. */
  production: z.boolean(),
});
export type PointTrace = z.infer<typeof PointTrace>;

export const ChartPoint = z.object({
  /** Milliseconds since the epoch: run start or window start. */
  x: z.number(),
  /** Run id or window, shown in the tooltip and the detail list. */
  label: z.string(),
  /** Null when there is nothing to measure (e.g. only skipped verdicts): drawn as a gap. */
  y: z.nullable(z.number()),
  /** Interval of a pass rate. */
  low: z.optional(z.number()),
  high: z.optional(z.number()),
  /** Number of verdicts or traces behind y. */
  n: z.int().check(z.gte(0)),
  /** The alert this point raised, if any. */
  alert: z.optional(z.string()),
  /** Failing traces first; bounded by the host. */
  traces: z.array(PointTrace),
});
export type ChartPoint = z.infer<typeof ChartPoint>;

export const ChartSeries = z.object({ name: z.string(), points: z.array(ChartPoint) });
export type ChartSeries = z.infer<typeof ChartSeries>;

export const Chart = z.object({
  id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  title: z.string(),
  /** 'rate' charts run from 0 to 100%. */
  unit: z.enum(['rate', 'tokens', 'ms', 'count']),
  series: z.array(ChartSeries),
});
export type Chart = z.infer<typeof Chart>;

export const DashboardSection = z.object({
  id: z.enum(['runs', 'production']),
  title: z.string(),
  /** Why the section is empty and what to do, when it has no charts. */
  empty: z.optional(z.string()),
  charts: z.array(Chart),
  alerts: z.array(z.object({ x: z.number(), message: z.string() })),
});
export type DashboardSection = z.infer<typeof DashboardSection>;

export const DashboardState = z.object({
  title: z.string(),
  generatedAt: z.number(),
  sections: z.array(DashboardSection),
  /** Damaged files that were skipped (a corrupt trace or report), each naming the file. */
  warnings: z.optional(z.array(z.string())),
});
export type DashboardState = z.infer<typeof DashboardState>;

export const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: DashboardState }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

export const WebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('openTrace'), traceId: z.string().check(z.regex(/^[0-9a-f]{32}$/)) }),
  z.object({ type: z.literal('promote'), traceId: z.string().check(z.regex(/^[0-9a-f]{32}$/)) }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessage>;

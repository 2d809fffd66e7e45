// What the portfolio and goal tools share: one status vocabulary (a status update's status_type)
// for Asana's colors, and a goal's metric in a compact shape.
import { z } from "zod";

/** Colors of a project's current_status (Asana's legacy record) and of an open goal's status. */
const COLOR_STATUS: Record<string, string> = {
  green: "on_track",
  yellow: "at_risk",
  red: "off_track",
  blue: "on_hold",
};

/** A color or a closed goal's status (achieved, missed…) as a status update's status_type. */
export function statusOfColor(color: string | null | undefined): string | undefined {
  if (!color) return undefined;
  return COLOR_STATUS[color] ?? color;
}

export interface AsanaMetric {
  unit?: string;
  currency_code?: string | null;
  precision?: number;
  initial_number_value?: number;
  target_number_value?: number;
  current_number_value?: number;
  current_display_value?: string;
  progress_source?: string;
}

/** What getGoals and getGoal answer of a metric, as opt_fields. */
export const METRIC_FIELDS = [
  "unit",
  "currency_code",
  "precision",
  "initial_number_value",
  "target_number_value",
  "current_number_value",
  "current_display_value",
  "progress_source",
]
  .map((f) => `metric.${f}`)
  .join(",");

export const metricOut = z.object({
  current: z.number().optional(),
  target: z.number().optional(),
  initial: z.number().optional(),
  unit: z.string().optional(),
  display: z.string().optional(),
  /** Percent of the way from initial to target, 0–100 (may pass 100). */
  progress: z.number().optional(),
  source: z.string().optional(),
});

export function compactMetric(m: AsanaMetric | null | undefined): z.input<typeof metricOut> | undefined {
  if (!m) return undefined;
  const { initial_number_value: initial, target_number_value: target, current_number_value: current } = m;
  const span = target !== undefined && initial !== undefined ? target - initial : undefined;
  const unit = m.unit === "currency" && m.currency_code ? m.currency_code : m.unit;
  return {
    ...(current !== undefined ? { current } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(initial !== undefined ? { initial } : {}),
    ...(unit && unit !== "none" ? { unit } : {}),
    ...(m.current_display_value ? { display: m.current_display_value } : {}),
    ...(span && current !== undefined
      ? { progress: Math.round(((current - (initial ?? 0)) / span) * 100) }
      : {}),
    ...(m.progress_source ? { source: m.progress_source } : {}),
  };
}

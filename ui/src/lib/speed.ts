// The speed-to-lead report: its periods, its times as seconds, and the geometry of its bar chart.
import type { SpeedLine } from './bindings';
import { EMPTY, pluralize } from './format';

/** The periods offered, in days. */
export const SPEED_PERIODS: readonly number[] = [1, 7, 30];
export const DEFAULT_SPEED_PERIOD = 7;

export function periodLabel(days: number): string {
  return days === 1 ? 'Last 24 hours' : `Last ${days} days`;
}

function isTime(ms: number | null | undefined): ms is number {
  return ms !== null && ms !== undefined && Number.isFinite(ms) && ms >= 0;
}

/** Milliseconds as seconds with one decimal: "4.2 s"; none → "—". */
export function formatSeconds(ms: number | null | undefined): string {
  return isTime(ms) ? `${(ms / 1000).toFixed(1)} s` : EMPTY;
}

/** "3 leads unclaimed". */
export function unclaimedText(count: number): string {
  return `${pluralize(count, 'lead')} unclaimed`;
}

/** `label` cut to `max` characters, the cut marked with "…". */
export function shortLabel(label: string, max: number): string {
  const chars = [...label.trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

export interface ChartLayout {
  /** The whole chart's width, in px. */
  width: number;
  /** Left of the bars: the rep's name. */
  labelWidth: number;
  /** Right of the bars: the times. */
  valueWidth: number;
  rowHeight: number;
  barHeight: number;
  /** The longest name shown whole. */
  labelChars: number;
}

export const CHART_LAYOUT: ChartLayout = { width: 440, labelWidth: 120, valueWidth: 96, rowHeight: 22, barHeight: 12, labelChars: 16 };

export interface ChartBar {
  /** The name, shortened to fit. */
  label: string;
  /** Said in the bar's title: the whole name and both times. */
  title: string;
  /** The row's top, in px. */
  y: number;
  /** Bar widths, in px: the median and the 95th percentile. */
  p50: number;
  p95: number;
  /** "4.2 s / 9.8 s". */
  times: string;
}

export interface SpeedChart {
  width: number;
  height: number;
  /** Where the bars start, and the widest a bar may be. */
  plotX: number;
  plotWidth: number;
  /** Where the times start. */
  valueX: number;
  /** Within a row: its middle (for text), and a bar's top and height. */
  middle: number;
  barY: number;
  barHeight: number;
  bars: ChartBar[];
}

/**
 * A bar per line: its p50 time to claim, over its p95 drawn lighter, on one scale (the longest
 * time fills the plot). A time above 0 is at least 1 px wide. Null when no line has a time.
 */
export function speedChart(lines: readonly SpeedLine[], layout: ChartLayout = CHART_LAYOUT): SpeedChart | null {
  const times = lines.flatMap((line) => [line.claimP50Ms, line.claimP95Ms]).filter(isTime);
  if (times.length === 0) return null;
  const longest = Math.max(...times);
  const plotX = layout.labelWidth;
  const plotWidth = Math.max(0, layout.width - layout.labelWidth - layout.valueWidth);
  const widthOf = (ms: number | null) => {
    if (!isTime(ms) || ms === 0) return 0;
    return Math.max(1, Math.round((ms / longest) * plotWidth));
  };
  const bars = lines.map((line, index) => {
    const times = `${formatSeconds(line.claimP50Ms)} / ${formatSeconds(line.claimP95Ms)}`;
    return {
      label: shortLabel(line.label, layout.labelChars),
      title: `${line.label}: p50 ${formatSeconds(line.claimP50Ms)}, p95 ${formatSeconds(line.claimP95Ms)}`,
      y: index * layout.rowHeight,
      p50: widthOf(line.claimP50Ms),
      p95: widthOf(line.claimP95Ms),
      times,
    };
  });
  return {
    width: layout.width,
    height: lines.length * layout.rowHeight,
    plotX,
    plotWidth,
    valueX: plotX + plotWidth + 6,
    middle: layout.rowHeight / 2,
    barY: (layout.rowHeight - layout.barHeight) / 2,
    barHeight: layout.barHeight,
    bars,
  };
}

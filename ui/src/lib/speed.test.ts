import { describe, expect, it } from 'vitest';
import type { SpeedLine } from './bindings';
import { CHART_LAYOUT, formatSeconds, periodLabel, shortLabel, speedChart, unclaimedText, type ChartLayout } from './speed';

function line(label: string, p50: number | null, p95: number | null): SpeedLine {
  return { label, offered: 10, claimed: 8, timedOut: 2, claimP50Ms: p50, claimP95Ms: p95 };
}

// 100 px of plot between a 60 px label and a 40 px value column.
const layout: ChartLayout = { width: 200, labelWidth: 60, valueWidth: 40, rowHeight: 20, barHeight: 10, labelChars: 8 };

describe('formatSeconds', () => {
  it('shows milliseconds as seconds with one decimal', () => {
    expect(formatSeconds(4200)).toBe('4.2 s');
    expect(formatSeconds(4249)).toBe('4.2 s');
    expect(formatSeconds(4250)).toBe('4.3 s');
    expect(formatSeconds(0)).toBe('0.0 s');
    expect(formatSeconds(125_000)).toBe('125.0 s');
  });
  it('shows a dash without a time', () => {
    expect(formatSeconds(null)).toBe('—');
    expect(formatSeconds(undefined)).toBe('—');
    expect(formatSeconds(Number.NaN)).toBe('—');
    expect(formatSeconds(-5)).toBe('—');
  });
});

describe('report texts', () => {
  it('names the periods', () => {
    expect(periodLabel(1)).toBe('Last 24 hours');
    expect(periodLabel(7)).toBe('Last 7 days');
  });
  it('counts the unclaimed leads', () => {
    expect(unclaimedText(0)).toBe('0 leads unclaimed');
    expect(unclaimedText(1)).toBe('1 lead unclaimed');
    expect(unclaimedText(1200)).toBe('1,200 leads unclaimed');
  });
  it('shortens long names with an ellipsis', () => {
    expect(shortLabel('Ann Lee', 8)).toBe('Ann Lee');
    expect(shortLabel('Annabelle Leeds', 8)).toBe('Annabel…');
    expect(shortLabel('  Bo  ', 8)).toBe('Bo');
  });
});

describe('speedChart', () => {
  it('scales every bar so the longest time fills the plot', () => {
    const chart = speedChart([line('Ann', 2000, 8000), line('Bo', 4000, 5000)], layout);
    expect(chart).not.toBeNull();
    expect(chart?.plotX).toBe(60);
    expect(chart?.plotWidth).toBe(100);
    expect(chart?.bars.map((bar) => [bar.p50, bar.p95])).toEqual([
      [25, 100],
      [50, 63],
    ]);
  });
  it('stacks the rows and sizes the chart to them', () => {
    const chart = speedChart([line('Ann', 1000, 2000), line('Bo', null, null), line('Cy', 500, 900)], layout);
    expect(chart?.bars.map((bar) => bar.y)).toEqual([0, 20, 40]);
    expect(chart?.height).toBe(60);
    expect(chart?.width).toBe(200);
  });
  it('centres the bars and the text in their rows, the times after the plot', () => {
    const chart = speedChart([line('Ann', 1000, 2000)], layout);
    expect(chart).toMatchObject({ middle: 10, barY: 5, barHeight: 10, valueX: 166 });
  });
  it('draws no bar for a missing time, and at least a pixel for a tiny one', () => {
    const chart = speedChart([line('Ann', 100_000, 100_000), line('Bo', null, null), line('Cy', 10, 0)], layout);
    expect(chart?.bars[1]).toMatchObject({ p50: 0, p95: 0, times: '— / —' });
    expect(chart?.bars[2]).toMatchObject({ p50: 1, p95: 0 });
  });
  it('labels each bar with the times and a title with the whole name', () => {
    const [bar] = speedChart([line('Annabelle Leeds', 4200, 9800)], layout)?.bars ?? [];
    expect(bar.label).toBe('Annabel…');
    expect(bar.times).toBe('4.2 s / 9.8 s');
    expect(bar.title).toBe('Annabelle Leeds: p50 4.2 s, p95 9.8 s');
  });
  it('is null when no rep has a time to claim', () => {
    expect(speedChart([], layout)).toBeNull();
    expect(speedChart([line('Ann', null, null)], layout)).toBeNull();
  });
  it('fits the default layout', () => {
    const chart = speedChart([line('Ann', 1000, 3000)]);
    expect(chart?.plotX).toBe(CHART_LAYOUT.labelWidth);
    expect((chart?.plotX ?? 0) + (chart?.bars[0].p95 ?? 0) + CHART_LAYOUT.valueWidth).toBe(CHART_LAYOUT.width);
  });
});

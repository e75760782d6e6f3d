/**
 * Spend over time as stacked bars (uPlot). Bar heights are drawn from floats (pixels only);
 * the legend shows each bucket's exact amount, the decimal text the server sent.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Row } from './api.ts';
import { h } from './dom.ts';
import { formatUsd } from './money.ts';

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

const epoch = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`) / 1000;

/** `rows`: `time` (bucket start, UTC text), `series`, `spend_usd` (decimal text or null). */
export function spendChart(rows: Row[], label: string): HTMLElement {
  const times = [...new Set(rows.map((row) => String(row.time)))].sort();
  const names = [...new Set(rows.map((row) => String(row.series)))].sort();
  const exact = names.map(() => times.map((): string | null => null));
  for (const row of rows) {
    exact[names.indexOf(String(row.series))]![times.indexOf(String(row.time))] =
      (row.spend_usd as string | null) ?? null;
  }
  const container = h('div', { class: 'chart', role: 'img', 'aria-label': label });
  if (times.length === 0) {
    container.append(h('p', { class: 'muted' }, 'No spend in this range.'));
    return container;
  }
  // Stacked: series i is drawn at the sum of series 0..i; drawn from the top down so each
  // bar covers only its own segment of the one drawn before.
  const cumulative: number[][] = [];
  names.forEach((_, i) => {
    cumulative.push(times.map((_, t) => (i === 0 ? 0 : cumulative[i - 1]![t]!) + Number(exact[i]![t] ?? 0)));
  });
  const order = names.map((_, i) => names.length - 1 - i);
  const style = getComputedStyle(document.documentElement);
  const ink = style.getPropertyValue('--muted').trim() || '#666';
  const grid = style.getPropertyValue('--grid').trim() || '#ddd';
  const bars = uPlot.paths.bars!({ size: [0.8, 60] });
  const options: uPlot.Options = {
    width: 800,
    height: 260,
    legend: { live: true },
    // Buckets are UTC hours and days, as in the dashboards: label them in UTC.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    cursor: { points: { show: false } },
    scales: { x: { time: true } },
    axes: [
      { stroke: ink, grid: { stroke: grid }, ticks: { stroke: grid } },
      {
        stroke: ink,
        grid: { stroke: grid },
        ticks: { stroke: grid },
        size: 70,
        values: (_u, ticks) => ticks.map((v) => `$${v}`),
      },
    ],
    series: [
      {
        label: 'time (UTC)',
        value: (_u, v) => (v === null ? '' : new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' ')),
      },
      ...order.map((i) => ({
        label: names[i]!,
        fill: PALETTE[i % PALETTE.length]!,
        stroke: PALETTE[i % PALETTE.length]!,
        paths: bars,
        points: { show: false },
        value: (_u: uPlot, _v: number | null, _s: number, index: number | null) =>
          index === null ? '' : formatUsd(exact[i]![index]),
      })),
    ],
  };
  const data: uPlot.AlignedData = [times.map(epoch), ...order.map((i) => cumulative[i]!)];
  const plot = new uPlot(options, data, container);
  const resize = () => plot.setSize({ width: Math.max(container.clientWidth, 300), height: 260 });
  new ResizeObserver(resize).observe(container);
  return container;
}

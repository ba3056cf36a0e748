// @ts-check
// The usage dashboard: cost per day by model, requests by status, tokens in and out, and
// latency percentiles, over a range of the viewer's days, all from one `usageSummary` round
// trip (operations.js DASHBOARD). Charts are Chart.js, served by this server from npm.
//
// Hooks for what the ledger does not have yet:
// - cached savings: once usageSummary reports them, add the field to DASHBOARD, a series in
//   dashboardData.js and an entry in CHARTS below; nothing is drawn for it until then.
// - per API key (admin keys): the range form is where a key select goes; its value joins
//   `filter` in load(), and a per-key breakdown is usageSummary's API_KEY grouping.

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { graphql } from './api.js';
import { modelName } from './catalog.js';
import { dashboardSeries } from './dashboardData.js';
import { dayBounds, daysFrom, today, viewerTimeZone } from './days.js';
import { byId, el, fill, input } from './dom.js';
import { formatCost, formatInt, formatMs, formatPercent, formatUsd } from './format.js';
import { DASHBOARD } from './operations.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

/** @typedef {import('./dashboardData.js').DashboardSeries} DashboardSeries */
/** @typedef {import('../../generated/webOperations.js').DescriptionStatus} DescriptionStatus */
/** @typedef {import('chart.js').ChartConfiguration<'bar' | 'line', (number | null)[], string>} ChartConfig */

/** Days shown when the page opens: the last two weeks, today included. */
const DEFAULT_DAYS = 14;

/** A colour of the page's style sheet (app.css), so charts follow light and dark. @param {string} name */
const cssColour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** The badges' colours. @type {Readonly<Record<DescriptionStatus, string>>} */
const STATUS_COLOURS = { SUCCEEDED: cssColour('--ok'), FAILED: cssColour('--bad'), PENDING: cssColour('--wait') };

Chart.defaults.color = cssColour('--muted');
Chart.defaults.borderColor = cssColour('--line');

const MODEL_COLOURS = ['#2b6cb0', '#dd6b20', '#805ad5', '#319795', '#d53f8c', '#718096', '#b7791f', '#38a169'];
/** @type {Map<string, string>} */
const modelColours = new Map();

/** A model keeps its colour while the page is open, whatever range or ranking follows. @param {string} model */
function modelColour(model) {
  let colour = modelColours.get(model);
  if (colour === undefined) {
    colour = MODEL_COLOURS[modelColours.size % MODEL_COLOURS.length] ?? '#718096';
    modelColours.set(model, colour);
  }
  return colour;
}

/**
 * The charts, in page order; each turns the series into a Chart.js configuration. A chart is
 * its canvas `#chart-<id>`.
 * @type {{ id: string, title: string, config: (s: DashboardSeries) => ChartConfig }[]}
 */
const CHARTS = [
  {
    id: 'cost',
    title: 'Cost per day by model',
    config: (s) =>
      stackedBars(
        s.days,
        s.costByModel.map(({ model, values }) => ({
          label: modelName(model),
          data: values,
          backgroundColor: modelColour(model),
        })),
        formatUsd,
      ),
  },
  {
    id: 'status',
    title: 'Requests by status',
    config: (s) =>
      stackedBars(
        s.days,
        s.requestsByStatus.map(({ status, values }) => ({
          label: status.toLowerCase(),
          data: values,
          backgroundColor: STATUS_COLOURS[status],
        })),
        formatInt,
      ),
  },
  {
    id: 'tokens',
    title: 'Tokens in and out',
    config: (s) =>
      stackedBars(
        s.days,
        [
          { label: 'input', data: s.inputTokens, backgroundColor: '#3182ce' },
          { label: 'output', data: s.outputTokens, backgroundColor: '#90cdf4' },
        ],
        formatInt,
      ),
  },
  {
    id: 'latency',
    title: 'Latency (p50 and p95)',
    config: (s) => ({
      type: 'line',
      data: {
        labels: s.days.map(shortDay),
        datasets: [
          { label: 'p50', data: s.latencyP50Ms, borderColor: '#2b6cb0', backgroundColor: '#2b6cb0', spanGaps: true },
          { label: 'p95', data: s.latencyP95Ms, borderColor: '#dd6b20', backgroundColor: '#dd6b20', spanGaps: true },
        ],
      },
      options: chartOptions((ms) => formatMs(Math.round(ms)), false),
    }),
  },
];

/**
 * Makes the dashboard live: range presets and dates, then a load. Returns `reload` for when
 * the ledger changes (a request described from this page).
 * @returns {{ reload(): Promise<void> }}
 */
export function setUpDashboard() {
  const from = input('usage-from');
  const to = input('usage-to');
  const zone = viewerTimeZone();
  byId('usage-zone').textContent = `Days in ${zone}`;
  /** @type {Map<string, Chart<'bar' | 'line', (number | null)[], string>>} */
  const charts = new Map();
  const container = byId('usage-charts');
  for (const chart of CHARTS) {
    const canvas = el('canvas', { id: `chart-${chart.id}`, role: 'img', 'aria-label': chart.title });
    container.append(
      el('figure', { class: 'chart' }, el('figcaption', {}, chart.title), el('div', { class: 'chart-box' }, canvas)),
    );
  }

  /** @param {number} days */
  const setRange = (days) => {
    from.value = today(-(days - 1));
    to.value = today();
  };
  setRange(DEFAULT_DAYS);

  let request = 0;
  async function load() {
    const current = ++request;
    const first = from.value || today(-(DEFAULT_DAYS - 1));
    const last = to.value || today();
    const days = daysFrom(first, last);
    const filter = dayBounds(first, last);
    const state = byId('usage-state');
    let data;
    try {
      data = await graphql(DASHBOARD, { filter, timeZone: zone });
    } catch (error) {
      if (current === request)
        state.textContent = `Could not load usage: ${String(error instanceof Error ? error.message : error)}`;
      return;
    }
    // A slower, older answer must not overwrite a newer one.
    if (current !== request) return;
    state.textContent = '';
    const series = dashboardSeries(data, days, zone);
    showTotals(series.totals);
    for (const chart of CHARTS) {
      const config = chart.config(series);
      const existing = charts.get(chart.id);
      if (existing) {
        existing.data = config.data;
        existing.update();
      } else {
        const canvas = /** @type {HTMLCanvasElement} */ (byId(`chart-${chart.id}`));
        charts.set(chart.id, new Chart(canvas, config));
      }
    }
    container.dataset.loaded = String(current);
  }

  byId('usage-range').addEventListener('change', () => void load());
  byId('usage-range').addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  byId('usage-range').addEventListener('click', (event) => {
    const days = /** @type {HTMLElement} */ (event.target).closest('[data-days]')?.getAttribute('data-days');
    if (!days) return;
    setRange(Number(days));
    void load();
  });
  return { reload: load };
}

/** @param {DashboardSeries['totals']} t */
function showTotals(t) {
  /** @param {string} key @param {string} label @param {string} value @param {string} [note] */
  const tile = (key, label, value, note) =>
    el(
      'div',
      { class: 'tile', 'data-total': key },
      el('dt', {}, label),
      el('dd', {}, value),
      note && el('dd', { class: 'muted small' }, note),
    );
  fill(
    byId('usage-totals'),
    tile('requests', 'Requests', formatInt(t.requests)),
    tile('failed', 'Failed', formatInt(t.failed), formatPercent(t.failed, t.requests)),
    tile('cost', 'Cost', formatCost(t.costUsd)),
    tile(
      'tokens',
      'Tokens',
      formatInt(t.inputTokens + t.outputTokens),
      `${formatInt(t.inputTokens)} in · ${formatInt(t.outputTokens)} out`,
    ),
    tile(
      'latency',
      'Latency p50 · p95',
      t.latencyP50Ms === null ? '—' : formatMs(Math.round(t.latencyP50Ms)),
      t.latencyP95Ms === null ? undefined : `p95 ${formatMs(Math.round(t.latencyP95Ms))}`,
    ),
  );
}

/** A YYYY-MM-DD as the viewer's short date ("Nov 28"). @param {string} day */
const shortDay = (day) => new Date(`${day}T12:00:00`).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

/**
 * @param {string[]} days
 * @param {{ label: string, data: (number | null)[], backgroundColor: string | undefined }[]} datasets
 * @param {(value: number) => string} format
 * @returns {ChartConfig}
 */
function stackedBars(days, datasets, format) {
  return { type: 'bar', data: { labels: days.map(shortDay), datasets }, options: chartOptions(format, true) };
}

/**
 * @param {(value: number) => string} format how the axis and tooltips show a value
 * @param {boolean} stacked
 * @returns {ChartConfig['options']}
 */
function chartOptions(format, stacked) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    // Redraws on every reload would replay the animation each time a request completes.
    animation: false,
    interaction: { mode: 'index', intersect: false },
    scales: {
      // Level day labels, thinned out when a long range has more than fit.
      x: { stacked, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
      y: { stacked, beginAtZero: true, ticks: { callback: (value) => format(Number(value)) } },
    },
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 12 } },
      tooltip: {
        callbacks: {
          label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? '—' : format(item.parsed.y)}`,
        },
      },
    },
  };
}

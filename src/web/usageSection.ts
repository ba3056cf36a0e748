/** Presets of the dashboard's range, in days ending today. */
const RANGE_PRESETS = [7, 30, 90] as const;

/**
 * The usage dashboard's markup: a range of the viewer's days, the totals and the charts'
 * container. `assets/dashboard.js` draws one chart per entry of its CHARTS into
 * `#usage-charts`, so adding a chart (cached savings, once the ledger has them) is one place.
 * A filter by API key, once keys exist, belongs in `#usage-range`.
 */
export function renderUsageSection(): string {
  const presets = RANGE_PRESETS.map(
    (days) => `<button type="button" class="secondary" data-days="${days}">${days} days</button>`,
  ).join('');
  return `<section class="card usage" aria-labelledby="usage-title">
  <div class="section-head">
    <h2 id="usage-title">Usage</h2>
    <span id="usage-zone" class="muted"></span>
  </div>
  <form id="usage-range" class="filters">
    <label>From <input id="usage-from" type="date"></label>
    <label>To <input id="usage-to" type="date"></label>
    <div class="presets">${presets}</div>
    <span id="usage-state" class="muted" role="status"></span>
  </form>
  <dl id="usage-totals" class="tiles"></dl>
  <div id="usage-charts" class="charts"></div>
</section>`;
}

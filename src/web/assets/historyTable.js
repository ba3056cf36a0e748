// @ts-check
// The ledger as a table: filters, Relay paging forwards (with the cursors seen for "newer"),
// and the totals of everything the filter matches.

import { ApiError, graphql } from './api.js';
import { modelLabel } from './catalog.js';
import { dayBounds } from './days.js';
import { badge, button, byId, el, input, onOpenRecord, select } from './dom.js';
import { formatCost, formatInt, formatMs, formatWhen, formatWhenShort } from './format.js';
import { HISTORY, SUMMARY } from './operations.js';

/** @typedef {import('../../generated/webOperations.js').HistoryFilter} HistoryFilter */
/** @typedef {import('../../generated/webOperations.js').HistoryQuery} HistoryQuery */
/** @typedef {import('../../generated/webOperations.js').DescriptionStatus} DescriptionStatus */
/** @typedef {HistoryQuery['history']['edges'][number]['node']} HistoryRow */

const rows = byId('history-rows');
const prevButton = button('prev-page');
const nextButton = button('next-page');

/**
 * Makes the history section live; `openRecord` shows one row in full.
 * @param {{ openRecord: (id: string) => void }} options
 * @returns {{ reload(): Promise<void> }} back to the first page (a new row, a new key)
 */
export function setUpHistoryTable({ openRecord }) {
  const state = {
    /** @type {(string | null)[]} */
    cursors: [null],
    page: 0,
    request: 0,
  };

  const reload = () => {
    state.cursors = [null];
    state.page = 0;
    return load();
  };

  async function load() {
    const request = ++state.request;
    const first = Number(select('page-size').value);
    const filter = historyFilter();
    void showSummary(filter, () => request === state.request);
    let data;
    try {
      data = await graphql(HISTORY, { filter, first, after: state.cursors[state.page] });
    } catch (error) {
      if (request !== state.request) return;
      const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
      rows.replaceChildren(el('tr', {}, el('td', { colspan: 8, class: 'error-text' }, message)));
      return;
    }
    // A slower, older answer must not overwrite a newer one.
    if (request !== state.request) return;
    const { edges, pageInfo, totalCount } = data.history;
    state.cursors[state.page + 1] = pageInfo.endCursor;
    prevButton.disabled = state.page === 0;
    nextButton.disabled = !pageInfo.hasNextPage;
    const start = state.page * first;
    byId('history-count').textContent =
      totalCount === 0 ? '' : `${formatInt(start + 1)}–${formatInt(start + edges.length)} of ${formatInt(totalCount)}`;
    byId('page-label').textContent =
      totalCount > first ? `Page ${state.page + 1} of ${Math.ceil(totalCount / first)}` : '';
    if (edges.length === 0) {
      const filtered = Object.keys(filter).length > 0;
      const message = filtered ? 'Nothing matches these filters.' : 'No requests yet. Describe an image above.';
      rows.replaceChildren(el('tr', {}, el('td', { colspan: 8, class: 'muted empty' }, message)));
      return;
    }
    rows.replaceChildren(...edges.map((edge) => historyRow(edge.node)));
  }

  onOpenRecord(rows, openRecord);
  const filtersForm = byId('history-filters');
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let searchTimer;
  input('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void reload(), 250);
  });
  filtersForm.addEventListener('change', (event) => {
    if (/** @type {HTMLElement} */ (event.target).id !== 'search') void reload();
  });
  filtersForm.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    void reload();
  });
  // Runs before the form's fields are reset: reload once they are.
  filtersForm.addEventListener('reset', () => setTimeout(() => void reload()));
  prevButton.addEventListener('click', () => {
    state.page = Math.max(0, state.page - 1);
    void load();
  });
  nextButton.addEventListener('click', () => {
    state.page += 1;
    void load();
  });
  return { reload };
}

/** The filter the form says; dates are the viewer's local days. @returns {HistoryFilter} */
function historyFilter() {
  /** @type {HistoryFilter} */
  const filter = {};
  const search = input('search').value.trim();
  const status = /** @type {DescriptionStatus | ''} */ (select('status').value);
  const model = input('model-filter').value.trim();
  if (search) filter.search = search;
  if (status) filter.status = [status];
  if (model) filter.modelId = [model];
  return { ...filter, ...dayBounds(input('from').value, input('to').value) };
}

/**
 * Totals of everything the filter matches (all pages), from `usageSummary`; the line stays
 * empty when the query fails.
 * @param {HistoryFilter} filter @param {() => boolean} current false once a newer load started
 */
async function showSummary(filter, current) {
  const line = byId('history-summary');
  let bucket;
  try {
    bucket = (await graphql(SUMMARY, { filter })).usageSummary[0];
  } catch {
    bucket = undefined;
  }
  if (!current()) return;
  if (!bucket || bucket.requests === 0) {
    line.textContent = '';
    return;
  }
  const parts = [
    `${formatInt(bucket.requests)} ${bucket.requests === 1 ? 'request' : 'requests'}`,
    `${formatInt(bucket.totalTokens)} tokens`,
    `${formatCost(bucket.costUsd)} in total`,
  ];
  if (bucket.latencyP50Ms !== null) parts.push(`median latency ${formatMs(Math.round(bucket.latencyP50Ms))}`);
  line.textContent = parts.join(' · ');
}

/** @param {HistoryRow} d */
function historyRow(d) {
  // A failed request may have text (what was generated before it broke or was stopped).
  const description = d.text
    ? [
        d.error && el('span', { class: 'error-code', title: d.error.message }, d.error.code),
        el('span', { class: 'clamp' }, d.text),
      ]
    : d.error
      ? [el('span', { class: 'clamp error-text' }, `${d.error.code}: ${d.error.message}`)]
      : [el('span', { class: 'muted' }, '…')];
  return el(
    'tr',
    { 'data-open': d.id, tabindex: 0, title: 'Open the full record' },
    el('td', { class: 'when', title: formatWhen(d.createdAt) }, formatWhenShort(d.createdAt)),
    el('td', { class: 'model-cell' }, modelLabel(d.modelId)),
    el('td', { class: 'prompt' }, el('span', { class: 'clamp' }, d.prompt)),
    el('td', { class: 'description' }, ...description),
    el('td', {}, badge(d.status)),
    el('td', { class: 'num' }, d.usage ? formatInt(d.usage.totalTokens) : '—'),
    el('td', { class: 'num' }, formatCost(d.costUsd)),
    el('td', { class: 'num' }, formatMs(d.latencyMs)),
  );
}

// @ts-check
// The describe form's answer: the record, the text while it streams, or an error's code and message.

import { toApiError } from './api.js';
import { badge, byId, el, fill } from './dom.js';
import { formatCost, formatInt, formatMs } from './format.js';

/** @typedef {import('../../generated/webOperations.js').DescriptionFieldsFragment} Description */

const result = byId('result');

/** @param {string} label @param {string} value @param {string} key */
const stat = (label, value, key) => el('div', { 'data-stat': key }, el('dt', {}, label), el('dd', {}, value));

/** A finished request: its text or error, tokens, cost, latency, and a link to the record. @param {Description} d */
export function showResult(d) {
  const usage = d.usage;
  result.className = `result ${d.status.toLowerCase()}`;
  result.removeAttribute('aria-busy');
  fill(
    result,
    el('div', { class: 'result-head' }, badge(d.status), el('code', {}, d.modelId)),
    d.text ? el('p', { class: 'result-text', id: 'result-text' }, d.text) : null,
    d.error ? el('p', { class: 'error-text' }, `${d.error.code}: ${d.error.message}`) : null,
    el(
      'dl',
      { class: 'stats' },
      stat(
        'Tokens',
        usage ? `${formatInt(usage.inputTokens)} in · ${formatInt(usage.outputTokens)} out` : '—',
        'tokens',
      ),
      stat('Cost', formatCost(d.costUsd), 'cost'),
      stat('Latency', formatMs(d.latencyMs), 'latency'),
      stat('Stop reason', d.stopReason ?? '—', 'stop'),
    ),
    el('button', { type: 'button', class: 'link', 'data-open': d.id }, 'Open the full record'),
  );
  result.hidden = false;
}

/**
 * The result while the text streams in, until the last event replaces it.
 * @param {string | undefined} modelId the model asked for, if any
 * @returns {HTMLElement} the element the text goes into
 */
export function showStreaming(modelId) {
  const text = el('p', { class: 'result-text', id: 'result-text' });
  result.className = 'result streaming';
  // Screen readers announce the text once it is complete, not at every delta.
  result.setAttribute('aria-busy', 'true');
  fill(
    result,
    el('div', { class: 'result-head' }, badge('STREAMING'), modelId !== undefined && el('code', {}, modelId)),
    text,
    el('p', { class: 'muted small' }, 'Tokens, cost and latency follow when the answer ends.'),
  );
  result.hidden = false;
  return text;
}

/**
 * An error's code (and reason) and message, after the text received before it, if any.
 * @param {unknown} error @param {string} [partialText]
 */
export function showError(error, partialText = '') {
  const e = toApiError(error);
  result.className = 'result failed';
  result.removeAttribute('aria-busy');
  fill(
    result,
    el('div', { class: 'result-head' }, badge('FAILED'), el('code', {}, e.reason ? `${e.code} · ${e.reason}` : e.code)),
    partialText && el('p', { class: 'result-text', id: 'result-text' }, partialText),
    el('p', { class: 'error-text', id: partialText ? undefined : 'result-text' }, e.message),
    e.descriptionId &&
      el('button', { type: 'button', class: 'link', 'data-open': e.descriptionId }, 'Open the full record'),
  );
  result.hidden = false;
}

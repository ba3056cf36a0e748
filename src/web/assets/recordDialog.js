// @ts-check
// One request in full, in a modal dialog: every field, the error, and each image (a thumbnail
// when the server keeps the bytes).

import { apiKey, graphql } from './api.js';
import { badge, byId, el } from './dom.js';
import { formatBytes, formatCost, formatInt, formatMs, formatWhen } from './format.js';
import { IMAGE_STORED, RECORD } from './operations.js';

/** @typedef {import('../../generated/webOperations.js').DescriptionFieldsFragment} Description */
/** @typedef {Description['images'][number]} Image */

const dialog = /** @type {HTMLDialogElement} */ (byId('record'));
const recordBody = byId('record-body');

/** Wires the dialog's close button and backdrop; returns the function that opens a record by id. */
export function setUpRecordDialog() {
  byId('record-close').addEventListener('click', () => dialog.close());
  // A click on the backdrop lands on the dialog element itself.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  return (/** @type {string} */ id) => void openRecord(id);
}

/** @param {string} id */
async function openRecord(id) {
  recordBody.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  if (!dialog.open) dialog.showModal();
  try {
    const { description: d } = await graphql(RECORD, { id });
    if (!d) {
      recordBody.replaceChildren(el('p', { class: 'error-text' }, 'This request is not in the ledger.'));
      return;
    }
    const stored = await Promise.all(
      d.images.map((image) =>
        graphql(IMAGE_STORED, { sha256: image.sha256 }).then(
          (data) => Boolean(data.image?.bytesStored),
          () => false,
        ),
      ),
    );
    recordBody.replaceChildren(...recordView(d, stored));
  } catch (error) {
    recordBody.replaceChildren(
      el('p', { class: 'error-text' }, String(error instanceof Error ? error.message : error)),
    );
  }
}

/** @param {Description} d @param {boolean[]} stored whether each image's bytes are kept */
function recordView(d, stored) {
  const usage = d.usage;
  /** @type {[string, Node | string | null][]} */
  const fields = [
    ['Status', badge(d.status)],
    ['Created', formatWhen(d.createdAt)],
    ['Completed', d.completedAt ? formatWhen(d.completedAt) : '—'],
    ['Model', el('code', {}, d.modelId)],
    ['API', d.api],
    ['Prompt', d.prompt],
    ['System prompt', d.system],
    ['Max tokens', formatInt(d.maxTokens)],
    ['Temperature', d.temperature === null ? null : String(d.temperature)],
    [
      'Tokens',
      usage
        ? `${formatInt(usage.inputTokens)} in · ${formatInt(usage.outputTokens)} out · ${formatInt(usage.totalTokens)} total`
        : '—',
    ],
    ['Cost', formatCost(d.costUsd)],
    ['Latency', `${formatMs(d.latencyMs)}${d.modelLatencyMs === null ? '' : ` (model ${formatMs(d.modelLatencyMs)})`}`],
    ['Stop reason', d.stopReason],
    ['Bedrock request id', d.bedrockRequestId && el('code', {}, d.bedrockRequestId)],
    ['Client request id', d.clientRequestId && el('code', {}, d.clientRequestId)],
    ['Id', el('code', {}, d.id)],
  ];
  const list = el('dl', { class: 'record-fields' });
  for (const [label, value] of fields) {
    if (value === null || value === undefined) continue;
    list.append(el('dt', {}, label), el('dd', {}, value));
  }
  /** @type {Node[]} */
  const nodes = [];
  if (d.text) nodes.push(el('p', { class: 'record-text' }, d.text));
  if (d.error) nodes.push(el('p', { class: 'error-text' }, `${d.error.code}: ${d.error.message}`));
  nodes.push(
    list,
    el('h3', {}, d.images.length === 1 ? 'Image' : `Images (${d.images.length})`),
    el('div', { class: 'images' }, ...d.images.map((image, i) => imageCard(image, stored[i] ?? false))),
  );
  return nodes;
}

/**
 * The stored bytes as an <img>. With an API key the bytes are fetched with it (an <img src> cannot send
 * an Authorization header) and shown from a blob URL; without one, the plain URL does.
 * @param {string} sha256
 */
function thumbnail(sha256) {
  const img = /** @type {HTMLImageElement} */ (el('img', { alt: `Image ${sha256.slice(0, 12)}`, loading: 'lazy' }));
  const key = apiKey();
  if (!key) {
    img.src = `/images/${sha256}`;
    return img;
  }
  void fetch(`/images/${sha256}`, { headers: { authorization: `Bearer ${key}` } })
    .then((res) => (res.ok ? res.blob() : null))
    .then((blob) => {
      if (blob) img.src = URL.createObjectURL(blob);
    });
  return img;
}

/** @param {Image} image @param {boolean} stored */
function imageCard(image, stored) {
  const sent = `${image.width}×${image.height} ${image.mediaType} · ${formatBytes(image.byteSize)}`;
  const o = image.original;
  const changed = o.width !== image.width || o.height !== image.height || o.byteSize !== image.byteSize;
  return el(
    'figure',
    { class: 'image-card' },
    stored ? thumbnail(image.sha256) : el('div', { class: 'no-thumb' }, 'Bytes not kept (IMAGE_STORE is off)'),
    el(
      'figcaption',
      {},
      el('div', {}, sent),
      changed
        ? el('div', { class: 'muted' }, `received ${o.width}×${o.height} ${o.mediaType} · ${formatBytes(o.byteSize)}`)
        : null,
      image.source ? el('div', { class: 'muted' }, `from ${image.source.toLowerCase()}`) : null,
      el('code', { class: 'sha', title: image.sha256 }, image.sha256),
    ),
  );
}

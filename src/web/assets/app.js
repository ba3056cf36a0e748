// @ts-check
// The one-page app: describe an image through the GraphQL API and browse the ledger.
// A plain ES module the browser runs as is (no build step); it speaks only to this server.
// Its import is rewritten by the server to the imported module's hashed URL.

import { ConnectionLostError, NotConnectedError, SubscriptionError, subscribe } from './streamClient.js';

/** @type {{ graphqlPath: string, samplePath: string, defaultPrompt: string }} */
const config = JSON.parse(byId('app-config').textContent ?? '{}');
const KEY_STORAGE = 'bedrock-vision.apiKey';

// ---------------------------------------------------------------- GraphQL

const DESCRIPTION_FIELDS = `
  id status createdAt completedAt modelId api prompt system maxTokens temperature text stopReason
  usage { inputTokens outputTokens totalTokens }
  costUsd latencyMs modelLatencyMs bedrockRequestId clientRequestId
  images { sha256 mediaType width height byteSize source original { mediaType width height byteSize } }
  error { code message }`;

const DESCRIBE = `mutation Describe($input: DescribeImageInput!) {
  describeImage(input: $input) { ${DESCRIPTION_FIELDS} }
}`;

// The row id is not sent before the last event: after Stop, the row is found by clientRequestId.
const DESCRIBE_STREAM = `subscription DescribeStream($input: DescribeImageInput!) {
  describeImageStream(input: $input) { delta description { ${DESCRIPTION_FIELDS} } }
}`;

const BY_CLIENT_REQUEST_ID = `query ByClientRequestId($id: String!) {
  history(filter: { clientRequestId: $id }, first: 1) { edges { node { ${DESCRIPTION_FIELDS} } } }
}`;

const RECORD = `query Record($id: ID!) { description(id: $id) { ${DESCRIPTION_FIELDS} } }`;

const IMAGE_STORED = `query ImageStored($sha256: String!) { image(sha256: $sha256) { bytesStored } }`;

const HISTORY = `query History($filter: HistoryFilter, $first: Int, $after: String) {
  history(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node {
      id createdAt status modelId prompt text costUsd latencyMs
      usage { inputTokens outputTokens totalTokens }
      error { code message }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const SUMMARY = `query Summary($filter: HistoryFilter) {
  usageSummary(filter: $filter) { requests totalTokens costUsd latencyP50Ms }
}`;

const MODELS = `query Models { models { id name provider inputUsdPerMillion outputUsdPerMillion lifecycle } }`;

/** A GraphQL or HTTP failure, with the API's stable error code (and the ledger row, when one was written). */
class ApiError extends Error {
  /** @param {string} message @param {string} code @param {string} [reason] @param {string} [descriptionId] */
  constructor(message, code, reason, descriptionId) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.descriptionId = descriptionId;
  }
}

/** A GraphQL error as the API formats it. @param {any} error */
const fromGraphQLError = (error) =>
  new ApiError(
    error.message,
    error.extensions?.code ?? 'ERROR',
    error.extensions?.reason,
    error.extensions?.descriptionId,
  );

/** Any failure as an ApiError: GraphQL errors keep their code, the others get one. @param {unknown} error */
function toApiError(error) {
  if (error instanceof ApiError) return error;
  if (error instanceof SubscriptionError) return fromGraphQLError(error.errors[0] ?? { message: error.message });
  if (error instanceof ConnectionLostError) return new ApiError(error.message, 'CONNECTION_LOST');
  return new ApiError(String(error), 'NETWORK_ERROR');
}

/**
 * POSTs an operation. With `upload`, it is sent as a GraphQL multipart request; Apollo's CSRF
 * protection wants the Apollo-Require-Preflight header on those.
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @param {{ path: string, file: File }} [upload]
 * @returns {Promise<any>}
 */
async function graphql(query, variables = {}, upload) {
  const headers = new Headers({ accept: 'application/graphql-response+json, application/json' });
  const key = apiKey();
  if (key) headers.set('authorization', `Bearer ${key}`);
  /** @type {BodyInit} */
  let body;
  if (upload) {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query, variables }));
    form.append('map', JSON.stringify({ 0: [upload.path] }));
    form.append('0', upload.file, upload.file.name);
    headers.set('apollo-require-preflight', 'true');
    body = form;
  } else {
    headers.set('content-type', 'application/json');
    body = JSON.stringify({ query, variables });
  }
  const res = await fetch(config.graphqlPath, { method: 'POST', headers, body });
  let payload;
  try {
    payload = await res.json();
  } catch {
    throw new ApiError(`The server answered HTTP ${res.status} without a GraphQL response.`, `HTTP_${res.status}`);
  }
  const error = payload.errors?.[0];
  if (error) throw fromGraphQLError(error);
  return payload.data;
}

function apiKey() {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- DOM and formatting

/** @param {string} id @returns {HTMLElement} */
function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found;
}

/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ (byId(id));

/**
 * Creates an element; strings become text nodes, so data is never parsed as HTML.
 * @param {string} tag
 * @param {Record<string, string | boolean | number | undefined>} [attributes]
 * @param {...(Node | string | null | undefined | false)} children
 */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/**
 * Replaces an element's children, skipping the empty ones (replaceChildren would print "null").
 * @param {Element} parent
 * @param {...(Node | string | null | undefined | false)} children
 */
function fill(parent, ...children) {
  parent.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

/** @param {string | null | undefined} usd */
function formatCost(usd) {
  if (usd === null || usd === undefined) return '—';
  const n = Number(usd);
  if (n === 0) return '$0';
  return n < 0.01 ? `$${usd.replace(/0+$/, '')}` : `$${n.toFixed(4).replace(/0{1,2}$/, '')}`;
}

/** @param {number | null | undefined} ms */
function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** @param {number} n */
const formatInt = (n) => n.toLocaleString();

/** @param {number} bytes */
function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** @param {string} iso */
const formatWhen = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A table's short form: the year only when it is not this one. @param {string} iso */
function formatWhenShort(iso) {
  const date = new Date(iso);
  const thisYear = date.getFullYear() === new Date().getFullYear();
  return date.toLocaleString(undefined, {
    ...(thisYear ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** Catalog names by model id, once the `models` query has answered. @type {Map<string, string>} */
const modelNames = new Map();

/** @param {string} id */
const modelLabel = (id) => el('span', { class: 'model', title: id }, modelNames.get(id) ?? id);

/** @param {string} status */
const badge = (status) => el('span', { class: `badge ${status.toLowerCase()}` }, status.toLowerCase());

/** @param {string | number | null | undefined} price */
const formatPrice = (price) => (price === null || price === undefined ? '?' : `$${Number(price)}`);

// ---------------------------------------------------------------- API key

const keyInput = input('api-key');
const keyState = byId('api-key-state');
function showKeyState() {
  keyState.textContent = apiKey() ? 'Saved in this browser.' : 'Not set.';
}
keyInput.value = apiKey();
showKeyState();
keyInput.addEventListener('change', () => {
  const value = keyInput.value.trim();
  try {
    if (value) localStorage.setItem(KEY_STORAGE, value);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    keyState.textContent = 'This browser does not allow storing it.';
    return;
  }
  showKeyState();
  void ledger.reload();
});

// ---------------------------------------------------------------- models

/**
 * The `models` query, when the server has it: the describe form gets a select with prices
 * and the history filter suggestions. Without it both stay free-text fields.
 */
async function loadModels() {
  /** @type {{ id: string, name: string, provider: string, inputUsdPerMillion: string | number | null, outputUsdPerMillion: string | number | null, lifecycle: string | null }[]} */
  let models;
  try {
    models = (await graphql(MODELS)).models ?? [];
  } catch {
    return;
  }
  if (models.length === 0) return;
  for (const m of models) modelNames.set(m.id, m.name);
  const select = el('select', { id: 'model' }, el('option', { value: '' }, 'Server default'));
  const providers = [...new Set(models.map((m) => m.provider))];
  for (const provider of providers) {
    const group = el('optgroup', { label: provider });
    for (const m of models.filter((x) => x.provider === provider)) {
      const lifecycle =
        m.lifecycle && m.lifecycle !== 'ACTIVE' ? ` (${m.lifecycle.toLowerCase().replaceAll('_', ' ')})` : '';
      const prices = `${formatPrice(m.inputUsdPerMillion)} in / ${formatPrice(m.outputUsdPerMillion)} out per 1M tokens`;
      group.append(el('option', { value: m.id, title: m.id }, `${m.name}${lifecycle} — ${prices}`));
    }
    select.append(group);
  }
  byId('model-slot').replaceChildren(select);

  const list = el('datalist', { id: 'model-list' });
  for (const m of models) list.append(el('option', { value: m.id }, m.name));
  document.body.append(list);
  input('model-filter').setAttribute('list', 'model-list');
}

// ---------------------------------------------------------------- choosing an image

/** @type {File | null} */
let chosenFile = null;
let previewUrl = '';
const fileInput = input('file');
const urlInput = input('image-url');
const drop = byId('drop');
const describeState = byId('describe-state');

/** @param {File | null} file */
function chooseFile(file) {
  chosenFile = file;
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = file ? URL.createObjectURL(file) : '';
  byId('preview').hidden = !file;
  byId('drop-empty').hidden = Boolean(file);
  drop.classList.toggle('has-image', Boolean(file));
  /** @type {HTMLImageElement} */ (byId('preview-img')).src = previewUrl;
  byId('preview-name').textContent = file ? `${file.name} · ${formatBytes(file.size)}` : '';
  if (file) urlInput.value = '';
  describeState.textContent = '';
}

fileInput.addEventListener('change', () => chooseFile(fileInput.files?.[0] ?? null));
byId('clear-image').addEventListener('click', () => {
  fileInput.value = '';
  chooseFile(null);
});
urlInput.addEventListener('input', () => {
  if (urlInput.value.trim() && chosenFile) {
    fileInput.value = '';
    chooseFile(null);
  }
});
byId('use-sample').addEventListener('click', async () => {
  try {
    const res = await fetch(config.samplePath);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const name = config.samplePath.split('/').pop() ?? 'sample.jpg';
    chooseFile(new File([await res.blob()], name, { type: 'image/jpeg' }));
  } catch (error) {
    describeState.textContent = `Could not load the sample photo: ${String(error)}`;
  }
});

for (const type of ['dragenter', 'dragover']) {
  drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add('dragging');
  });
}
for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('dragging'));
drop.addEventListener('drop', (event) => {
  const file = /** @type {DragEvent} */ (event).dataTransfer?.files[0];
  if (file) chooseFile(file);
});
// A file dropped beside the drop zone must not make the browser leave the page to show it.
document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => event.preventDefault());
document.addEventListener('paste', (event) => {
  const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (file) {
    event.preventDefault();
    chooseFile(file);
  }
});

// ---------------------------------------------------------------- describing

const describeForm = /** @type {HTMLFormElement} */ (byId('describe-form'));
const describeButton = /** @type {HTMLButtonElement} */ (byId('describe'));
const stopButton = /** @type {HTMLButtonElement} */ (byId('stop'));
const streamToggle = input('stream');
const result = byId('result');

/** Bedrock's limit per image; a larger file goes as a multipart upload, which the server may scale down. */
const STREAM_MAX_BYTES = 3.75 * 1024 * 1024;
/** Subscriptions: the GraphQL path as ws:// or wss://. */
const socketUrl = new URL(config.graphqlPath, location.href);
socketUrl.protocol = socketUrl.protocol === 'https:' ? 'wss:' : 'ws:';

describeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (describeButton.disabled) return;
  const url = urlInput.value.trim();
  const file = chosenFile;
  if (!file && !url) {
    describeState.textContent = 'Choose or drop an image, or paste its URL, first.';
    return;
  }
  describeButton.disabled = true;
  const progress = startProgress();
  let note = '';
  try {
    // A WebSocket cannot carry a multipart upload: the file travels as a base64 data URL.
    if (streamToggle.checked && (!file || file.size <= STREAM_MAX_BYTES)) {
      const image = file ? { base64: await readAsDataUrl(file) } : { url };
      if (await describeStreamed(image, progress)) return;
      note = 'The WebSocket did not open, so the answer came in one piece over HTTP.';
    }
    const upload = file ? { path: 'variables.input.image.upload', file } : undefined;
    const data = await graphql(DESCRIBE, { input: describeInput(file ? { upload: null } : { url }) }, upload);
    showResult(data.describeImage);
  } catch (error) {
    showError(error);
  } finally {
    progress.stop();
    describeState.textContent = note;
    describeButton.disabled = false;
    // A failed or stopped model call is a FAILED row too: either way the ledger has news.
    void ledger.reload();
  }
});

/**
 * Describes over the `describeImageStream` subscription: the text grows with each delta, then
 * the last event's record brings tokens, cost and latency. Stop unsubscribes; the server then
 * records the row FAILED with code CANCELLED and the text so far. Resolves false, having
 * shown nothing, when the WebSocket did not open (the request never reached the server).
 * @param {Record<string, unknown>} image
 * @param {{ label: string }} progress
 */
async function describeStreamed(image, progress) {
  // Fresh for every request (so never a replay): how the row is found when no event names it.
  const clientRequestId = `web-${randomHex(12)}`;
  const describe = { ...describeInput(image), clientRequestId };
  let text = '';
  let ended = false;
  /** @type {HTMLElement | null} */
  let textView = null;
  const stream = subscribe({
    url: socketUrl.href,
    query: DESCRIBE_STREAM,
    variables: { input: describe },
    connectionParams: () => {
      const key = apiKey();
      return key ? { Authorization: `Bearer ${key}` } : undefined;
    },
    onData: ({ describeImageStream: event }) => {
      if (event.delta) {
        text += event.delta;
        progress.label = 'Streaming…';
        textView ??= showStreaming(describe.modelId);
        textView.textContent = text;
      }
      if (event.description) {
        ended = true;
        showResult(event.description);
      }
    },
  });
  const stop = () => stream.cancel();
  stopButton.addEventListener('click', stop);
  stopButton.hidden = false;
  try {
    if ((await stream.done) === 'cancelled') {
      stopButton.hidden = true;
      await showCancelled(clientRequestId, text);
    } else if (!ended) {
      showError(new ApiError('The stream ended without its last event.', 'INCOMPLETE_STREAM'), text);
    }
    return true;
  } catch (error) {
    if (error instanceof NotConnectedError) return false;
    showError(error, text);
    return true;
  } finally {
    stopButton.removeEventListener('click', stop);
    stopButton.hidden = true;
  }
}

/**
 * After Stop: the text so far at once, then the server's row (FAILED, CANCELLED, that text)
 * once it is written. No row appears when Stop came before the request reached the server.
 * @param {string} clientRequestId @param {string} text
 */
async function showCancelled(clientRequestId, text) {
  showError(new ApiError('Stopped. The ledger keeps the text written so far.', 'CANCELLED'), text);
  for (let attempt = 0; attempt < 30; attempt++) {
    let row;
    try {
      row = (await graphql(BY_CLIENT_REQUEST_ID, { id: clientRequestId })).history.edges[0]?.node;
    } catch {
      return;
    }
    if (row?.status === 'FAILED' || row?.status === 'SUCCEEDED') {
      showResult(row);
      return;
    }
    if (row === undefined && attempt >= 10) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The elapsed time beside the button while a request runs; `label` says what is happening. */
function startProgress() {
  const started = performance.now();
  const progress = { label: 'Describing…', stop: () => clearInterval(timer) };
  const tick = () =>
    (describeState.textContent = `${progress.label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  tick();
  const timer = setInterval(tick, 100);
  return progress;
}

/** @param {Blob} file @returns {Promise<string>} a base64 data: URL */
function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** @param {number} bytes */
function randomHex(bytes) {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** @param {Record<string, unknown>} image */
function describeInput(image) {
  const prompt = /** @type {HTMLTextAreaElement} */ (byId('prompt')).value.trim();
  const modelId = /** @type {HTMLInputElement | HTMLSelectElement} */ (byId('model')).value.trim();
  const maxTokens = input('max-tokens').valueAsNumber;
  const temperature = input('temperature').valueAsNumber;
  return {
    image,
    prompt: prompt || config.defaultPrompt,
    api: /** @type {HTMLSelectElement} */ (byId('api')).value,
    ...(modelId ? { modelId } : {}),
    ...(Number.isFinite(maxTokens) ? { maxTokens } : {}),
    ...(Number.isFinite(temperature) ? { temperature } : {}),
  };
}

/** @param {any} d a Description */
function showResult(d) {
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
 * @param {unknown} modelId the model asked for, if any
 * @returns {HTMLElement} the element the text goes into
 */
function showStreaming(modelId) {
  const text = el('p', { class: 'result-text', id: 'result-text' });
  result.className = 'result streaming';
  // Screen readers announce the text once it is complete, not at every delta.
  result.setAttribute('aria-busy', 'true');
  fill(
    result,
    el('div', { class: 'result-head' }, badge('STREAMING'), typeof modelId === 'string' && el('code', {}, modelId)),
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
function showError(error, partialText = '') {
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

/** @param {string} label @param {string} value @param {string} key */
const stat = (label, value, key) => el('div', { 'data-stat': key }, el('dt', {}, label), el('dd', {}, value));

result.addEventListener('click', (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  const id = target.closest('[data-open]')?.getAttribute('data-open');
  if (id) void openRecord(id);
});

// ---------------------------------------------------------------- history

const filtersForm = /** @type {HTMLFormElement} */ (byId('history-filters'));
const rows = byId('history-rows');
const prevButton = /** @type {HTMLButtonElement} */ (byId('prev-page'));
const nextButton = /** @type {HTMLButtonElement} */ (byId('next-page'));

/** Relay paging forwards only: the cursors of the pages seen so far make "newer" possible. */
const ledger = {
  /** @type {(string | null)[]} */
  cursors: [null],
  page: 0,
  request: 0,

  filter() {
    /** @type {Record<string, unknown>} */
    const filter = {};
    const search = input('search').value.trim();
    const status = /** @type {HTMLSelectElement} */ (byId('status')).value;
    const model = input('model-filter').value.trim();
    const from = input('from').value;
    const to = input('to').value;
    if (search) filter.search = search;
    if (status) filter.status = [status];
    if (model) filter.modelId = [model];
    // Dates are the viewer's local days: from its first instant to the next day's first.
    if (from) filter.createdAfter = new Date(`${from}T00:00:00`).toISOString();
    if (to) {
      const end = new Date(`${to}T00:00:00`);
      end.setDate(end.getDate() + 1);
      filter.createdBefore = end.toISOString();
    }
    return filter;
  },

  pageSize() {
    return Number(/** @type {HTMLSelectElement} */ (byId('page-size')).value);
  },

  /** Back to the first page (filters changed, or a new row). */
  reload() {
    this.cursors = [null];
    this.page = 0;
    return this.load();
  },

  async load() {
    const request = ++this.request;
    const first = this.pageSize();
    const filter = this.filter();
    void showSummary(filter, request);
    let data;
    try {
      data = await graphql(HISTORY, { filter, first, after: this.cursors[this.page] });
    } catch (error) {
      if (request !== this.request) return;
      const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
      rows.replaceChildren(el('tr', {}, el('td', { colspan: 8, class: 'error-text' }, message)));
      return;
    }
    // A slower, older answer must not overwrite a newer one.
    if (request !== this.request) return;
    const { edges, pageInfo, totalCount } = data.history;
    this.cursors[this.page + 1] = pageInfo.endCursor;
    prevButton.disabled = this.page === 0;
    nextButton.disabled = !pageInfo.hasNextPage;
    const start = this.page * first;
    byId('history-count').textContent =
      totalCount === 0 ? '' : `${formatInt(start + 1)}–${formatInt(start + edges.length)} of ${formatInt(totalCount)}`;
    byId('page-label').textContent =
      totalCount > first ? `Page ${this.page + 1} of ${Math.ceil(totalCount / first)}` : '';
    if (edges.length === 0) {
      const filtered = Object.keys(this.filter()).length > 0;
      const message = filtered ? 'Nothing matches these filters.' : 'No requests yet. Describe an image above.';
      rows.replaceChildren(el('tr', {}, el('td', { colspan: 8, class: 'muted empty' }, message)));
      return;
    }
    rows.replaceChildren(...edges.map((/** @type {any} */ edge) => historyRow(edge.node)));
  },
};

/**
 * Totals of everything the filter matches (all pages), from `usageSummary`; the line stays
 * empty when the server has no such query.
 * @param {Record<string, unknown>} filter @param {number} request
 */
async function showSummary(filter, request) {
  const line = byId('history-summary');
  let bucket;
  try {
    bucket = (await graphql(SUMMARY, { filter })).usageSummary[0];
  } catch {
    bucket = undefined;
  }
  if (request !== ledger.request) return;
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

/** @param {any} d a Description */
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

rows.addEventListener('click', (event) => {
  const id = /** @type {HTMLElement} */ (event.target).closest('tr[data-open]')?.getAttribute('data-open');
  if (id) void openRecord(id);
});
rows.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  const id = /** @type {HTMLElement} */ (event.target).closest('tr[data-open]')?.getAttribute('data-open');
  if (id) {
    event.preventDefault();
    void openRecord(id);
  }
});

/** @type {ReturnType<typeof setTimeout> | undefined} */
let searchTimer;
input('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void ledger.reload(), 250);
});
filtersForm.addEventListener('change', (event) => {
  if (/** @type {HTMLElement} */ (event.target).id !== 'search') void ledger.reload();
});
filtersForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  void ledger.reload();
});
// Runs before the form's fields are reset: reload once they are.
filtersForm.addEventListener('reset', () => setTimeout(() => void ledger.reload()));
prevButton.addEventListener('click', () => {
  ledger.page = Math.max(0, ledger.page - 1);
  void ledger.load();
});
nextButton.addEventListener('click', () => {
  ledger.page += 1;
  void ledger.load();
});

// ---------------------------------------------------------------- one record

const dialog = /** @type {HTMLDialogElement} */ (byId('record'));
const recordBody = byId('record-body');
byId('record-close').addEventListener('click', () => dialog.close());
// A click on the backdrop lands on the dialog element itself.
dialog.addEventListener('click', (event) => {
  if (event.target === dialog) dialog.close();
});

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
      d.images.map((/** @type {any} */ image) =>
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

/** @param {any} d a Description @param {boolean[]} stored whether each image's bytes are kept */
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
  return [
    d.text ? el('p', { class: 'record-text' }, d.text) : null,
    d.error ? el('p', { class: 'error-text' }, `${d.error.code}: ${d.error.message}`) : null,
    list,
    el('h3', {}, d.images.length === 1 ? 'Image' : `Images (${d.images.length})`),
    el(
      'div',
      { class: 'images' },
      ...d.images.map((/** @type {any} */ image, /** @type {number} */ i) => imageCard(image, stored[i] ?? false)),
    ),
  ].filter((node) => node !== null);
}

/** @param {any} image @param {boolean} stored */
function imageCard(image, stored) {
  const sent = `${image.width}×${image.height} ${image.mediaType} · ${formatBytes(image.byteSize)}`;
  const o = image.original;
  const changed = o && (o.width !== image.width || o.height !== image.height || o.byteSize !== image.byteSize);
  return el(
    'figure',
    { class: 'image-card' },
    stored
      ? el('img', { src: `/images/${image.sha256}`, alt: `Image ${image.sha256.slice(0, 12)}`, loading: 'lazy' })
      : el('div', { class: 'no-thumb' }, 'Bytes not kept (IMAGE_STORE is off)'),
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

// ---------------------------------------------------------------- start

// Models first (a cheap query) so the table can show their names.
void loadModels().finally(() => void ledger.load());

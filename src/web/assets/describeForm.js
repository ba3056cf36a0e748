// @ts-check
// The describe form: image, prompt, model and options in; the answer streamed (graphql-ws) or
// in one piece (HTTP, a file as a multipart upload) out.

import { ApiError, graphql, NotConnectedError, subscribeTo } from './api.js';
import { initialModel, isEndOfLife } from './modelChoice.js';
import { showError, showResult, showStreaming } from './describeResult.js';
import { button, byId, el, input, select } from './dom.js';
import { formatBytes, formatPrice } from './format.js';
import { readAsDataUrl, setUpImagePicker } from './imagePicker.js';
import { BY_CLIENT_REQUEST_ID, DESCRIBE, DESCRIBE_STREAM } from './operations.js';
import { pageConfig } from './pageConfig.js';

/** @typedef {import('../../generated/webOperations.js').DescribeImageInput} DescribeImageInput */
/** @typedef {import('../../generated/webOperations.js').ImageInput} ImageInput */
/** @typedef {import('../../generated/webOperations.js').BedrockApi} BedrockApi */
/** @typedef {import('./catalog.js').PageSetup} PageSetup */
/** @typedef {import('./catalog.js').CatalogModel} CatalogModel */

const describeState = byId('describe-state');
const describeButton = button('describe');
const stopButton = button('stop');

/**
 * Makes the form live. `setup` (null when the server did not answer it) gives the model
 * select, the output-token limit of the chosen model and the image limits; `onLedgerChanged`
 * runs after every attempt (a failed or stopped call is a FAILED row too).
 * @param {{ setup: PageSetup | null, onLedgerChanged: () => void }} options
 */
export function setUpDescribeForm({ setup, onLedgerChanged }) {
  const picker = setUpImagePicker((note) => (describeState.textContent = note));
  if (setup !== null) setUpModels(setup);
  const limits = setup?.settings;
  if (limits) byId('image-limit').textContent = `, up to ${formatBytes(limits.imageMaxBytes)}`;

  byId('describe-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (describeButton.disabled) return;
    const choice = picker.chosen();
    if (choice === null) {
      describeState.textContent = 'Choose or drop an image, or paste its URL, first.';
      return;
    }
    const file = 'file' in choice ? choice.file : null;
    if (file && limits && file.size > limits.uploadMaxBytes) {
      describeState.textContent = `This file is ${formatBytes(file.size)}; the server reads uploads of up to ${formatBytes(limits.uploadMaxBytes)}.`;
      return;
    }
    describeButton.disabled = true;
    const progress = startProgress();
    let note = '';
    try {
      // A WebSocket cannot carry a multipart upload: a file travels as a base64 data URL, so
      // only one the model takes as it is (a larger upload may be scaled down by the server).
      const streamable = !file || (limits !== undefined && file.size <= limits.imageMaxBytes);
      if (input('stream').checked && streamable) {
        const image = 'url' in choice ? { url: choice.url } : { base64: await readAsDataUrl(choice.file) };
        if (await describeStreamed(image, progress)) return;
        note = 'The WebSocket did not open, so the answer came in one piece over HTTP.';
      }
      const upload = file ? { path: 'variables.input.image.upload', file } : undefined;
      const image = 'url' in choice ? { url: choice.url } : { upload: null };
      const data = await graphql(DESCRIBE, { input: describeInput(image) }, upload);
      showResult(data.describeImage);
    } catch (error) {
      showError(error);
    } finally {
      progress.stop();
      describeState.textContent = note;
      describeButton.disabled = false;
      onLedgerChanged();
    }
  });
}

/**
 * The model select from the catalog, grouped by provider with prices and lifecycle, starting
 * on the server's default unless that is retired; the max-tokens field follows the chosen
 * model's output limit.
 * @param {PageSetup} setup
 */
function setUpModels({ models, settings }) {
  if (models.length === 0) return;
  const defaultModel = models.find((m) => m.id === settings.defaultModelId);
  const defaultName = defaultModel ? `${defaultModel.name}${isEndOfLife(defaultModel) ? ', end of life' : ''}` : '';
  const modelSelect = el(
    'select',
    { id: 'model' },
    el('option', { value: '' }, defaultName ? `Server default (${defaultName})` : 'Server default'),
  );
  for (const provider of new Set(models.map((m) => m.provider))) {
    const group = el('optgroup', { label: provider });
    for (const m of models.filter((x) => x.provider === provider)) {
      const lifecycle = m.lifecycle === 'ACTIVE' ? '' : ` (${m.lifecycle.toLowerCase().replaceAll('_', ' ')})`;
      const prices = `${formatPrice(m.inputUsdPerMillion)} in / ${formatPrice(m.outputUsdPerMillion)} out per 1M tokens`;
      group.append(el('option', { value: m.id, title: m.id }, `${m.name}${lifecycle} — ${prices}`));
    }
    modelSelect.append(group);
  }
  byId('model-slot').replaceChildren(modelSelect);
  const start = initialModel(models, settings.defaultModelId);
  if (start) /** @type {HTMLSelectElement} */ (modelSelect).value = start.id;

  const maxTokens = input('max-tokens');
  const followModel = () => {
    const id = /** @type {HTMLSelectElement} */ (modelSelect).value || settings.defaultModelId;
    const limit = models.find((m) => m.id === id)?.maxOutputTokens;
    if (limit === undefined) maxTokens.removeAttribute('max');
    else maxTokens.max = String(limit);
  };
  modelSelect.addEventListener('change', followModel);
  followModel();

  const list = el('datalist', { id: 'model-list' });
  for (const m of models) list.append(el('option', { value: m.id }, m.name));
  document.body.append(list);
  input('model-filter').setAttribute('list', 'model-list');
}

/**
 * The request as the form says it; empty fields are left out, so the server's defaults apply.
 * @param {ImageInput} image
 * @returns {DescribeImageInput}
 */
function describeInput(image) {
  const prompt = /** @type {HTMLTextAreaElement} */ (byId('prompt')).value.trim();
  const modelId = /** @type {HTMLInputElement | HTMLSelectElement} */ (byId('model')).value.trim();
  const maxTokens = input('max-tokens').valueAsNumber;
  const temperature = input('temperature').valueAsNumber;
  return {
    image,
    prompt: prompt || pageConfig.defaultPrompt,
    api: /** @type {BedrockApi} */ (select('api').value),
    ...(modelId ? { modelId } : {}),
    ...(Number.isFinite(maxTokens) ? { maxTokens } : {}),
    ...(Number.isFinite(temperature) ? { temperature } : {}),
  };
}

/**
 * Describes over the `describeImageStream` subscription: the text grows with each delta, then
 * the last event's record brings tokens, cost and latency. Stop unsubscribes; the server then
 * records the row FAILED with code CANCELLED and the text so far. Resolves false, having
 * shown nothing, when the WebSocket did not open (the request never reached the server).
 * @param {ImageInput} image
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
  const stream = subscribeTo(DESCRIBE_STREAM, { input: describe }, ({ describeImageStream: event }) => {
    if (event.delta) {
      text += event.delta;
      progress.label = 'Streaming…';
      textView ??= showStreaming(describe.modelId ?? undefined);
      textView.textContent = text;
    }
    if (event.description) {
      ended = true;
      showResult(event.description);
    }
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

/** @param {number} bytes */
function randomHex(bytes) {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

import type { BedrockApi, DescriptionStatus } from '../generated/graphql.js';
import { escapeHtml, jsonForScript } from './html.js';
import { DEFAULT_PROMPT } from './playgroundExamples.js';
import { renderUsageSection } from './usageSection.js';

/** What the one-page app is built from. */
export interface AppPageInput {
  readonly assets: {
    readonly icon: string;
    readonly appJs: string;
    /** The modules main.js imports (transitively), preloaded so they load alongside it. */
    readonly appModules: readonly string[];
    readonly appCss: string;
  };
  readonly graphqlPath: string;
  /** Where the playground is, or null when it is off. */
  readonly playgroundPath: string | null;
  readonly samplePath: string;
  /** The built-in Bedrock emulator answers (BEDROCK_MODE): the page says so above everything else. */
  readonly emulated?: boolean;
}

/** Rendered by the server, so the page says where answers come from even before its script runs. */
const EMULATOR_BANNER = `<section class="card emulator-banner" role="status" aria-label="Bedrock emulator">
  <p><strong>Answers come from the built-in Bedrock emulator, not Amazon Bedrock.</strong> It describes what it can
  measure (format, size, main colour), costs nothing, and every row in the history is marked <code>EMULATOR</code>.</p>
  <p class="muted small">To use Bedrock, restart the server with AWS credentials (an IAM role, <code>AWS_PROFILE</code>,
  or <code>AWS_ACCESS_KEY_ID</code>/<code>AWS_SECRET_ACCESS_KEY</code>) or a Bedrock API key in
  <code>AWS_BEARER_TOKEN_BEDROCK</code>, and a current model in <code>DEFAULT_MODEL_ID</code>; <code>BEDROCK_MODE=aws</code>
  insists on Bedrock. See “Using real Bedrock” in the README.</p>
</section>
`;

// Keyed by the schema's enums, so a value added to schema.graphql fails the type check until it is here.
const STATUSES: Record<DescriptionStatus, string> = { SUCCEEDED: 'succeeded', FAILED: 'failed', PENDING: 'pending' };
const APIS: Record<BedrockApi, string> = { CONVERSE: 'Converse', INVOKE_MODEL: 'InvokeModel (Anthropic)' };

/**
 * The page for people who do not write GraphQL: the markup works as a plain document and
 * `assets/main.js` (ES modules, no build step) makes it live against the GraphQL API.
 */
export function renderAppPage(input: AppPageInput): string {
  const { assets } = input;
  const config = { graphqlPath: input.graphqlPath, samplePath: input.samplePath, defaultPrompt: DEFAULT_PROMPT };
  const playgroundLink =
    input.playgroundPath === null
      ? ''
      : `<a class="nav-link" href="${escapeHtml(input.playgroundPath)}">GraphQL playground</a>`;
  const options = (labels: Record<string, string>) =>
    Object.entries(labels)
      .map(([value, label]) => `<option value="${value}">${escapeHtml(label)}</option>`)
      .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bedrock Vision — describe images</title>
<link rel="icon" href="${escapeHtml(assets.icon)}" type="image/svg+xml">
<link rel="stylesheet" href="${escapeHtml(assets.appCss)}">
${assets.appModules.map((url) => `<link rel="modulepreload" href="${escapeHtml(url)}">`).join('\n')}
</head>
<body>
<header class="top">
  <div class="brand">
    <img src="${escapeHtml(assets.icon)}" alt="" width="28" height="28">
    <div><h1>Bedrock Vision</h1><p>Describe images with vision models. Every request is kept in the ledger.</p></div>
  </div>
  <nav>
    ${playgroundLink}
    <details class="key">
      <summary>API key</summary>
      <div class="key-panel">
        <label for="api-key">Sent as <code>Authorization: Bearer</code>, kept in this browser only.</label>
        <input id="api-key" type="password" autocomplete="off" spellcheck="false" placeholder="Not needed by this server yet">
        <span id="api-key-state" class="muted"></span>
      </div>
    </details>
  </nav>
</header>
<main>
${input.emulated === true ? EMULATOR_BANNER : ''}<section class="card" aria-labelledby="describe-title">
  <h2 id="describe-title">Describe an image</h2>
  <form id="describe-form" class="describe" novalidate>
    <div class="source">
    <div id="drop" class="drop" tabindex="-1">
      <input id="file" class="visually-hidden" type="file" accept="image/jpeg,image/png,image/gif,image/webp">
      <div id="drop-empty" class="drop-empty">
        <p class="drop-title">Drop an image here</p>
        <p class="muted">or paste one, or <label for="file" class="link">choose a file</label></p>
        <p class="muted small">JPEG, PNG, GIF or WebP<span id="image-limit"></span></p>
        <button id="use-sample" type="button" class="secondary">Try the sample photo</button>
      </div>
      <figure id="preview" class="preview" hidden>
        <img id="preview-img" alt="The image to describe">
        <figcaption><span id="preview-name"></span> <button id="clear-image" type="button" class="link">Remove</button></figcaption>
      </figure>
    </div>
    <label for="image-url" class="url-label">…or an image URL <span class="muted">(https, public address)</span></label>
    <input id="image-url" type="url" inputmode="url" placeholder="https://example.com/photo.jpg" spellcheck="false">
    </div>
    <div class="fields">
      <label for="prompt">Prompt</label>
      <textarea id="prompt" rows="3">${escapeHtml(DEFAULT_PROMPT)}</textarea>
      <label for="model">Model</label>
      <div id="model-slot"><input id="model" type="text" placeholder="Server default" spellcheck="false"></div>
      <details class="options">
        <summary>More options</summary>
        <div class="options-grid">
          <label>API
            <select id="api">${options(APIS)}</select>
          </label>
          <label>Max tokens <input id="max-tokens" type="number" min="1" placeholder="server default"></label>
          <label>Temperature <input id="temperature" type="number" min="0" max="1" step="0.1" placeholder="model default"></label>
        </div>
      </details>
      <div class="actions">
        <button id="describe" type="submit" class="primary">Describe</button>
        <button id="stop" type="button" class="secondary" hidden>Stop</button>
        <label class="check" title="Text as the model writes it, over a WebSocket (graphql-ws)"><input id="stream" type="checkbox" checked> Stream the answer</label>
        <span id="describe-state" class="muted" role="status"></span>
      </div>
    </div>
  </form>
  <div id="result" class="result" hidden aria-live="polite"></div>
</section>

${renderUsageSection()}

<section class="card" aria-labelledby="history-title">
  <div class="section-head">
    <h2 id="history-title">History</h2>
    <span id="history-count" class="muted" role="status"></span>
  </div>
  <p id="history-summary" class="summary"></p>
  <form id="history-filters" class="filters" role="search">
    <label class="grow">Search <input id="search" type="search" placeholder="Prompt or description" maxlength="200"></label>
    <label>Status <select id="status"><option value="">Any</option>${options(STATUSES)}</select></label>
    <label>Model <span id="model-filter-slot"><input id="model-filter" type="text" placeholder="Any" spellcheck="false"></span></label>
    <label>From <input id="from" type="date"></label>
    <label>To <input id="to" type="date"></label>
    <label>Rows <select id="page-size"><option>10</option><option selected>20</option><option>50</option><option>100</option></select></label>
    <button id="reset-filters" type="reset" class="secondary">Reset</button>
  </form>
  <div class="table-wrap">
    <table id="history-table">
      <thead><tr><th>When</th><th>Model</th><th>Prompt</th><th>Description</th><th>Status</th><th class="num">Tokens</th><th class="num">Cost</th><th class="num">Latency</th></tr></thead>
      <tbody id="history-rows"><tr><td colspan="8" class="muted">Loading…</td></tr></tbody>
    </table>
  </div>
  <div class="pager">
    <button id="prev-page" type="button" class="secondary" disabled>← Newer</button>
    <span id="page-label" class="muted"></span>
    <button id="next-page" type="button" class="secondary" disabled>Older →</button>
  </div>
</section>
</main>
<dialog id="record" aria-labelledby="record-title">
  <div class="dialog-head"><h2 id="record-title">Request</h2><button id="record-close" type="button" class="link" aria-label="Close">✕</button></div>
  <div id="record-body"></div>
</dialog>
<noscript><p class="card">This page needs JavaScript. The API answers POST ${escapeHtml(input.graphqlPath)}.</p></noscript>
<script type="application/json" id="app-config">${jsonForScript(config)}</script>
<script type="module" src="${escapeHtml(assets.appJs)}"></script>
</body>
</html>
`;
}

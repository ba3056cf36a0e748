import { escapeHtml, jsonForScript } from './html.js';
import type { PlaygroundTab } from './playgroundExamples.js';

/** What the GraphiQL page is built from: asset URLs and the configuration its script reads. */
export interface PlaygroundPageInput {
  readonly assets: {
    readonly icon: string;
    readonly react: string;
    readonly reactDom: string;
    readonly graphiql: string;
    readonly graphiqlCss: string;
    readonly playground: string;
    readonly playgroundCss: string;
  };
  readonly graphqlPath: string;
  readonly appPath: string;
  readonly tabs: readonly PlaygroundTab[];
  readonly headers: string;
}

/**
 * GraphiQL 4 on React 18, every byte from this server. The configuration travels as JSON
 * in a non-executed script element so the page needs no inline script (CSP `script-src 'self'`).
 */
export function renderPlaygroundPage(input: PlaygroundPageInput): string {
  const { assets } = input;
  const config = {
    graphqlPath: input.graphqlPath,
    appPath: input.appPath,
    tabs: input.tabs,
    headers: input.headers,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphQL playground · Bedrock Vision</title>
<link rel="icon" href="${escapeHtml(assets.icon)}" type="image/svg+xml">
<link rel="stylesheet" href="${escapeHtml(assets.graphiqlCss)}">
<link rel="stylesheet" href="${escapeHtml(assets.playgroundCss)}">
</head>
<body>
<div id="graphiql"><p class="playground-loading">Loading the playground…</p></div>
<noscript>The GraphQL playground needs JavaScript. The API itself answers POST ${escapeHtml(input.graphqlPath)}.</noscript>
<script type="application/json" id="playground-config">${jsonForScript(config)}</script>
<script src="${escapeHtml(assets.react)}"></script>
<script src="${escapeHtml(assets.reactDom)}"></script>
<script src="${escapeHtml(assets.graphiql)}"></script>
<script src="${escapeHtml(assets.playground)}"></script>
</body>
</html>
`;
}

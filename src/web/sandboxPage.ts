import { escapeHtml, jsonForScript } from './html.js';

/** Apollo's embeddable Sandbox, loaded from Apollo's CDN. */
export const SANDBOX_SCRIPT_URL =
  'https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js';

/** The policy the Sandbox page needs: Apollo's CDN for the script and the studio frame. */
export const SANDBOX_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' https://embeddable-sandbox.cdn.apollographql.com",
  "style-src 'self' 'unsafe-inline'",
  'frame-src https://sandbox.embed.apollographql.com',
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `PLAYGROUND=sandbox`: Apollo Sandbox for networks that reach Apollo's CDN. It is Apollo's
 * own landing page, pointed at this endpoint and opened on the given operation.
 */
export function renderSandboxPage(input: { graphqlPath: string; document: string; headers: string }): string {
  const state = jsonForScript({
    graphqlPath: input.graphqlPath,
    document: input.document,
    headers: JSON.parse(input.headers) as unknown,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Apollo Sandbox · Bedrock Vision</title>
<style>html, body, #sandbox { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="sandbox"></div>
<script type="application/json" id="sandbox-config">${state}</script>
<script src="${escapeHtml(SANDBOX_SCRIPT_URL)}"></script>
<script>
  const config = JSON.parse(document.getElementById('sandbox-config').textContent);
  new window.EmbeddedSandbox({
    target: '#sandbox',
    initialEndpoint: new URL(config.graphqlPath, location.href).href,
    initialState: { document: config.document, headers: config.headers, includeCookies: false },
  });
</script>
</body>
</html>
`;
}

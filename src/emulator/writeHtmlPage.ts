import type { WireResponse } from './wire.js';

/** What a proxy or captive portal in the way answers with, instead of Bedrock's JSON or event stream. */
export const HTML_PAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n';

/** Answers 200 with {@link HTML_PAGE}, for the 'non-json-body' fault: only the body says something went wrong. */
export function writeHtmlPage(res: WireResponse, requestId: string): void {
  res.writeHead(200, {
    'content-type': 'text/html',
    'content-length': String(Buffer.byteLength(HTML_PAGE)),
    'x-amzn-requestid': requestId,
  });
  res.end(HTML_PAGE);
}

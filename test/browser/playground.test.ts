import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, saveScreenshot, type BrowserSession } from './browserHarness.js';
import { startWebApp, type WebApp } from './startWebApp.js';

interface Editors {
  query: string;
  variables: string;
  headers: string;
  response: string;
}

/** GraphiQL's editors' full text (CodeMirror draws only the visible lines, so ask the editors). */
function readEditors(): Editors {
  // Runs in the page (the Node typings here have no DOM).
  const document = (globalThis as any).document;
  const text = (element: any): string => element?.CodeMirror?.getValue() ?? '';
  const tools = document.querySelectorAll('.graphiql-editor-tool .CodeMirror');
  return {
    query: text(document.querySelector('.graphiql-query-editor .CodeMirror')),
    variables: text(tools[0]),
    headers: text(tools[1]),
    response: text(document.querySelector('.result-window .CodeMirror')),
  };
}

/** Records every text the response editor shows from now on (runs in the page). */
function recordResponses(): void {
  const g = globalThis as any;
  const seen: string[] = [];
  g.responses = seen;
  g.document.querySelector('.result-window .CodeMirror').CodeMirror.on('change', (editor: any) => {
    if (g.responses === seen) seen.push(editor.getValue());
  });
}

function recordedResponses(): string[] {
  const g = globalThis as any;
  const seen = g.responses;
  g.responses = null;
  return seen;
}

/** An HTTP request's GraphQL operation name, when its document does not define it (GraphiQL's tab-switch race). */
function staleOperationName(body: string): boolean {
  try {
    const { query, operationName } = JSON.parse(body);
    return typeof operationName === 'string' && !new RegExp(`\\b${operationName}\\b`).test(query);
  } catch {
    return false;
  }
}

describe('Playground: GraphiQL served offline by the server', () => {
  let web: WebApp;
  let session: BrowserSession;

  beforeAll(async () => {
    // Paced deltas, so the streamed example visibly arrives in pieces.
    web = await startWebApp({ streamChunkDelayMs: 60 });
    session = await openBrowser();
  });

  afterAll(async () => {
    await session?.close();
    await web?.stop();
  });

  // Polled from outside the page: waitForFunction evaluates strings, which the page's CSP forbids.
  async function waitForEditors(check: (editors: Editors) => boolean, what: string): Promise<Editors> {
    let editors = await session.page.evaluate(readEditors);
    for (const deadline = Date.now() + 20_000; !check(editors); editors = await session.page.evaluate(readEditors)) {
      if (Date.now() > deadline) throw new Error(`GraphiQL never showed ${what}; response: ${editors.response}`);
      await session.page.waitForTimeout(100);
    }
    return editors;
  }

  async function run(expected: string): Promise<string> {
    // Right after a tab switch GraphiQL may still hold the previous tab's operation name (it
    // follows the editor after a debounce) and the server answers "Unknown operation": run again.
    for (let attempt = 1; ; attempt++) {
      await session.page.locator('.graphiql-execute-button').click();
      const { response } = await waitForEditors(
        (e) => e.response.includes(expected) || e.response.includes('Unknown operation named'),
        expected,
      );
      if (response.includes(expected) || attempt === 5) return response;
      await session.page.waitForTimeout(250);
    }
  }

  it('opens at GET /graphql in a browser with the examples and an Authorization header to fill in', async () => {
    const { page } = session;
    const response = await page.goto(`${web.origin}/graphql`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await page.locator('.graphiql-container').waitFor();
    const tabs = await page.locator('.graphiql-tab').allTextContents();
    expect(tabs.join(' | ')).toMatch(/Describe.*DescribeStream.*History.*Dashboard.*Record.*PageSetup/);
    const editors = await waitForEditors((e) => e.variables !== '', 'the first tab');
    expect(editors.query).toContain('mutation Describe(');
    expect(JSON.parse(editors.variables).input).toMatchObject({
      prompt: 'What is in this image?',
      modelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
      api: 'INVOKE_MODEL',
    });
    expect(JSON.parse(editors.headers)).toEqual({ Authorization: 'Bearer <your key>' });
  });

  it("runs the seed's request on the sample photo and shows the emulator's description", async () => {
    const text = await run('"status": "SUCCEEDED"');
    expect(text).toContain('360×239 JPEG image');
    expect(text).toContain('"modelId": "anthropic.claude-3-sonnet-20240229-v1:0"');
    expect(text).toContain('"api": "INVOKE_MODEL"');
    await saveScreenshot(session.page, 'playground');
  });

  it('streams the DescribeStream example over graphql-ws: text deltas, then the record', async () => {
    const { page } = session;
    const { emulator } = web.testApp;
    emulator.resetCalls();
    await page.locator('.graphiql-tab', { hasText: 'DescribeStream' }).click();
    const editors = await waitForEditors(
      (e) => e.query.includes('subscription DescribeStream'),
      'the DescribeStream tab',
    );
    expect(JSON.parse(editors.variables).input).toMatchObject({
      prompt: 'What is in this image?',
      modelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
      api: 'CONVERSE',
    });
    await page.waitForTimeout(300);
    // GraphiQL sends the tab's headers as the socket's connectionParams, as the page sends its key.
    const init = new Promise<{ url: string; message: unknown }>((resolve) => {
      page.once('websocket', (ws) =>
        ws.on('framesent', ({ payload }) => {
          const message = JSON.parse(String(payload));
          if (message.type === 'connection_init') resolve({ url: ws.url(), message });
        }),
      );
    });
    await page.evaluate(recordResponses);
    const text = await run('"status": "SUCCEEDED"');
    expect(await init).toEqual({
      url: `${web.origin.replace(/^http/, 'ws')}/graphql`,
      message: { type: 'connection_init', payload: { Authorization: 'Bearer <your key>' } },
    });
    expect(text).toContain('"api": "CONVERSE"');
    expect(text).toContain('360×239 JPEG image');
    // Before the record, the pane showed events carrying only a delta.
    const responses = await page.evaluate(recordedResponses);
    const deltas = responses
      .map((response) => {
        try {
          return JSON.parse(response).data?.describeImageStream;
        } catch {
          return undefined;
        }
      })
      .filter((event) => typeof event?.delta === 'string' && event.description === null);
    expect(deltas.length, responses.join('\n')).toBeGreaterThanOrEqual(2);
    expect(emulator.calls.map((call) => call.operation)).toEqual(['ConverseStream']);
    await saveScreenshot(page, 'playground-stream', { artifactOnly: true });
  });

  it('runs the history example and lists the requests just made', async () => {
    await session.page.locator('.graphiql-tab', { hasText: 'History' }).click();
    await waitForEditors((e) => e.query.includes('query History'), 'the History tab');
    await session.page.waitForTimeout(300);
    const text = await run('"totalCount"');
    expect(text).toContain('"totalCount": 2');
    expect(text).toContain('360×239 JPEG image');
  });

  it('needed nothing beyond loopback and raised no errors', () => {
    expect(session.offLoopback).toEqual([]);
    expect(session.errors).toEqual([]);
    // Only the tab-switch race above may have been refused (and then run again).
    expect(session.httpErrors.filter((e) => !staleOperationName(e.body))).toEqual([]);
  });

  it('leaves GET /graphql to the GraphQL handler for clients that do not ask for HTML', async () => {
    const res = await fetch(`${web.origin}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

import { getHeapSnapshot, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { collect, expectAppError, request, useEmulator } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live objects named `name` after a full collection: what the process still holds. */
async function liveObjects(name: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  gc();
  let text = '';
  for await (const chunk of getHeapSnapshot()) text += String(chunk);
  const snapshot = JSON.parse(text) as {
    snapshot: { meta: { node_fields: string[] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const nameField = fields.indexOf('name');
  const wanted = snapshot.strings.indexOf(name);
  let count = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    if (snapshot.nodes[i + nameField] === wanted) count += 1;
  }
  return count;
}

describe('streamed answers and their HTTP/2 sessions', () => {
  const t = useEmulator({ latencyMs: 0 });

  it('frees the session of every streamed call once it has ended: both APIs, a failed stream, a reader that stops', async () => {
    await collect(t.model.describeStream(await request()));
    const before = await liveObjects('ClientHttp2Session');

    for (let i = 0; i < 40; i += 1) {
      await collect(t.model.describeStream(await request({ api: i % 2 === 0 ? 'CONVERSE' : 'INVOKE_MODEL' })));
    }
    for (let i = 0; i < 10; i += 1) {
      // Bedrock fails the stream half-way.
      t.emulator.injectFault({ kind: 'mid-stream-error', errorType: 'modelStreamErrorException', afterChunks: 2 });
      await expectAppError(collect(t.model.describeStream(await request())), 'UPSTREAM_ERROR');
      // The reader stops after the first event (its client went away): the stream is reset.
      for await (const event of t.model.describeStream(await request())) if (event.type === 'delta') break;
    }

    // The SDK's handler opens a session of its own for each streamed call (60 here); a few may linger.
    expect((await liveObjects('ClientHttp2Session')) - before).toBeLessThan(5);
  }, 60_000);
});

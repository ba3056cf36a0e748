import { getHeapSnapshot, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createBedrockVisionModel } from '../../src/bedrock/index.js';
import { MODEL_OPTIONS, collect, expectAppError, request, useEmulator } from './helpers.js';

// Each test file runs in a process of its own, so turning this on here touches no other file.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live objects named `name` after a full collection: what the process still holds. */
async function liveObjects(name: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  gc();
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const snapshot = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const [nameField, typeField] = [fields.indexOf('name'), fields.indexOf('type')];
  const [wanted, object] = [snapshot.strings.indexOf(name), types[0].indexOf('object')];
  let count = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    if (snapshot.nodes[i + nameField] === wanted && snapshot.nodes[i + typeField] === object) count += 1;
  }
  return count;
}

describe('streamed answers and their HTTP/2 sessions', () => {
  const t = useEmulator({ latencyMs: 0 });

  it('frees the session of a streamed call once its answer has ended, on both APIs; failed, abandoned and refused streams too', async () => {
    // A request timeout far longer than the test: a stream's timer left set would hold its session to the end.
    const model = createBedrockVisionModel({ ...MODEL_OPTIONS, endpoint: t.emulator.url, requestTimeoutMs: 60_000 });
    await collect(model.describeStream(await request()));
    const before = await liveObjects('ClientHttp2Session');

    for (let i = 0; i < 40; i += 1) {
      await collect(model.describeStream(await request({ api: i % 2 === 0 ? 'CONVERSE' : 'INVOKE_MODEL' })));
    }
    for (let i = 0; i < 10; i += 1) {
      // Bedrock fails the stream half-way.
      t.emulator.injectFault({ kind: 'mid-stream-error', errorType: 'modelStreamErrorException', afterChunks: 2 });
      await expectAppError(collect(model.describeStream(await request())), 'UPSTREAM_ERROR');
      // The reader stops after the first event (its client went away): the stream is reset.
      for await (const event of model.describeStream(await request())) if (event.type === 'delta') break;
      // Bedrock refuses the call: an error status, whose body the SDK reads.
      t.emulator.injectFault({ kind: 'throttle' });
      await expectAppError(collect(model.describeStream(await request())), 'UPSTREAM_THROTTLED');
    }

    // The SDK's handler opens a session of its own for each streamed call (71 here); a few may linger.
    expect((await liveObjects('ClientHttp2Session')) - before).toBeLessThan(5);
    model.destroy();
  }, 60_000);
});

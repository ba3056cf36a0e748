import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { expectData } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';
import { subscribe, wsClient } from '../helpers/subscribe.js';

const DESCRIBE = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      status
      text
    }
  }
`;
const READ = /* GraphQL */ `
  query ($id: ID!) {
    description(id: $id) {
      status
      text
    }
  }
`;

const STREAM = /* GraphQL */ `
  subscription ($input: DescribeImageInput!) {
    describeImageStream(input: $input) {
      delta
      description {
        id
        status
        text
      }
    }
  }
`;
type StreamEvent = {
  describeImageStream: { delta: string | null; description: { id: string; status: string; text: string } | null };
};

describe.each(DATABASES)("control characters in the model's answer on %s", (kind) => {
  let t: TestApp;
  let image: { base64: string };

  beforeAll(async () => {
    t = await startTestApp(kind);
    image = { base64: toBase64(await solidImage(8, 8)) };
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each(['CONVERSE', 'INVOKE_MODEL'])(
    'completes the row of a %s answer with a NUL in it (PostgreSQL refuses U+0000), storing U+FFFD',
    async (api) => {
      t.emulator.injectFault({ kind: 'control-characters' });
      const answered = expectData(await t.gql(DESCRIBE, { input: { image, api } })).describeImage;
      expect(answered.status).toBe('SUCCEEDED');
      const stored = expectData(await t.gql(READ, { id: answered.id })).description;
      expect(stored.status).toBe('SUCCEEDED');
      expect(stored.text).not.toContain('\u0000');
      // Every other control character is kept as the model wrote it; only NUL has no place in `text`.
      expect(stored.text).toContain('NUL\ufffd BEL\u0007 BS\u0008 ESC\u001b[31m DEL\u007f NEL\u0085 CR\r');
    },
  );

  it.each(['CONVERSE', 'INVOKE_MODEL'])(
    'completes the row of a streamed %s answer with a NUL in it, and the client gets the text as the model sent it',
    async (api) => {
      t.emulator.injectFault({ kind: 'control-characters' });
      const client = wsClient(t.url);
      try {
        const events = await subscribe<StreamEvent>(client, STREAM, { input: { image, api } }).done;
        const streamed = events.flatMap((e) =>
          e.describeImageStream.delta === null ? [] : [e.describeImageStream.delta],
        );
        expect(streamed.join('')).toContain('NUL\u0000 BEL\u0007');
        const last = events.at(-1)!.describeImageStream.description!;
        expect(last.status).toBe('SUCCEEDED');
        const stored = expectData(await t.gql(READ, { id: last.id })).description;
        expect(stored.status).toBe('SUCCEEDED');
        expect(stored.text).not.toContain('\u0000');
        expect(stored.text).toContain('NUL\ufffd BEL\u0007 BS\u0008 ESC\u001b[31m DEL\u007f NEL\u0085 CR\r');
      } finally {
        await client.dispose();
      }
    },
  );
});

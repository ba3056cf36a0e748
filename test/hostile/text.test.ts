import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { expectData, expectErrorCode } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { COUNT } from '../helpers/operations.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const DESCRIBE = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      prompt
      status
    }
  }
`;
const HISTORY_COUNT = /* GraphQL */ `
  query ($filter: HistoryFilter) {
    history(filter: $filter) {
      totalCount
    }
  }
`;
const USAGE = /* GraphQL */ `
  query ($filter: HistoryFilter) {
    usageSummary(filter: $filter) {
      requests
    }
  }
`;

describe.each(DATABASES)('text from a hostile client on %s', (kind) => {
  let t: TestApp;
  let image: { base64: string };

  beforeAll(async () => {
    t = await startTestApp(kind);
    image = { base64: toBase64(await solidImage(8, 8)) };
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.resetCalls();
  });

  const ledgerSize = async () => expectData(await t.gql(COUNT)).history.totalCount as number;

  /** Sends the describe input and asserts the refusal left no model call and no row. */
  async function expectRefused(input: Record<string, unknown>, reason: string): Promise<string> {
    const before = await ledgerSize();
    const res = await t.gql(DESCRIBE, { input: { image, ...input } });
    expectErrorCode(res, 'BAD_USER_INPUT', reason);
    expect(t.emulator.calls).toHaveLength(0);
    expect(await ledgerSize()).toBe(before);
    return res.errors![0]!.message;
  }

  it.each([
    ['a NUL in the prompt', { prompt: 'a\u0000b' }, 'PROMPT_INVALID'],
    ['a bell character in the prompt', { prompt: 'ring \u0007' }, 'PROMPT_INVALID'],
    ['a C1 control in the prompt', { prompt: 'a\u0085b' }, 'PROMPT_INVALID'],
    ['an unpaired surrogate in the prompt', { prompt: 'a\ud800b' }, 'PROMPT_INVALID'],
    ['a NUL in the system prompt', { system: 'be brief\u0000' }, 'SYSTEM_INVALID'],
    ['a NUL in a stop sequence', { stopSequences: ['\u0000'] }, 'STOP_SEQUENCES_INVALID'],
    ['a NUL in clientRequestId', { clientRequestId: 'key\u0000' }, 'CLIENT_REQUEST_ID_INVALID'],
    ['a newline in clientRequestId', { clientRequestId: 'key\n1' }, 'CLIENT_REQUEST_ID_INVALID'],
  ])('refuses %s before any model call or row', async (_name, input, reason) => {
    expect(await expectRefused(input, reason)).toMatch(/control character|unpaired surrogate/);
  });

  it('accepts newline and tab in a prompt', async () => {
    const data = expectData(await t.gql(DESCRIBE, { input: { image, prompt: 'line one\n\tline two' } }));
    expect(data.describeImage.status).toBe('SUCCEEDED');
    expect(data.describeImage.prompt).toBe('line one\n\tline two');
  });

  it('stores and sends prompts in Unicode NFC, so a decomposed accent is the same prompt', async () => {
    const data = expectData(
      await t.gql(DESCRIBE, { input: { image, prompt: 'Caf\u0065\u0301?', system: 'r\u0065\u0301sum\u0065\u0301' } }),
    );
    expect(data.describeImage.prompt).toBe('Caf\u00e9?');
    const call = t.emulator.calls.at(-1)!;
    expect(JSON.stringify(call)).toContain('Caf\u00e9?');
    expect(JSON.stringify(call)).not.toContain('\u0065\u0301');
    const found = expectData(await t.gql(HISTORY_COUNT, { filter: { search: 'cafe\u0301' } }));
    expect(found.history.totalCount).toBe(1);
  });

  it('caps prompts in characters and in UTF-8 bytes', async () => {
    expect(await expectRefused({ prompt: 'a'.repeat(50_001) }, 'PROMPT_INVALID')).toMatch(/50000 characters/);
    // 40 000 emoji are 40 000 characters but 160 000 bytes.
    expect(await expectRefused({ prompt: '\u{1f600}'.repeat(40_000) }, 'PROMPT_INVALID')).toMatch(/150000 bytes/);
    expect(await expectRefused({ system: '\u{1f600}'.repeat(40_000) }, 'SYSTEM_INVALID')).toMatch(/150000 bytes/);
  });

  it.each([
    ['search', { search: 'a\u0000b' }],
    ['errorCode', { errorCode: 'UPSTREAM\u0000' }],
    ['clientRequestId', { clientRequestId: '\u0000' }],
    ['imageSha256', { imageSha256: '\u0000'.repeat(64) }],
    ['a modelId entry', { modelId: ['anthropic.claude\u0000'] }],
    ['search (an escape character)', { search: '\u001b[31m' }],
  ])('refuses a control character in %s with FILTER_INVALID, in history and usageSummary', async (_name, filter) => {
    expectErrorCode(await t.gql(HISTORY_COUNT, { filter }), 'BAD_USER_INPUT', 'FILTER_INVALID');
    expectErrorCode(await t.gql(USAGE, { filter }), 'BAD_USER_INPUT', 'FILTER_INVALID');
  });

  it('refuses list filters longer than 100 entries with FILTER_INVALID, and answers at 100', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `model-${i}`);
    for (const filter of [
      { modelId: ids(101) },
      { modelId: ids(70_000) },
      { status: Array.from({ length: 101 }, () => 'FAILED') },
      { api: Array.from({ length: 101 }, () => 'CONVERSE') },
    ]) {
      const res = await t.gql(HISTORY_COUNT, { filter });
      expect(expectErrorCode(res, 'BAD_USER_INPUT', 'FILTER_INVALID')).toBeDefined();
      expect(res.errors![0]!.message).toContain('limited to 100 entries');
    }
    expect(expectData(await t.gql(HISTORY_COUNT, { filter: { modelId: ids(100) } })).history.totalCount).toBe(0);
  });
});

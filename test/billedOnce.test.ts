import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES } from './helpers/databases.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { solidImage, toBase64 } from './helpers/images.js';
import { fromAtto, tokenCost } from './helpers/money.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { subscribe, wsClient } from './helpers/subscribe.js';

/** The seed's Claude 3 Sonnet, the emulator's default: $3 in, $15 out per million tokens. */
const cost = (input: number, output: number) => fromAtto(tokenCost(input, '3') + tokenCost(output, '15'));

const FIELDS = `id status costUsd usageKnown bedrockRequestId usage { inputTokens outputTokens totalTokens }
  error { code } attempts { outcome httpStatus bedrockRequestId errorType billed inputTokens outputTokens costUsd }`;
const DESCRIBE = `mutation($input: DescribeImageInput!) { describeImage(input: $input) { ${FIELDS} } }`;
const ROW = `query($id: ID!) { description(id: $id) { ${FIELDS} } }`;

describe.each(DATABASES)('Never billed twice, honest usage, on %s', (kind) => {
  let t: TestApp;
  let png: string;
  beforeAll(async () => {
    // Three attempts, as in production; a short request timeout so a hang times out quickly.
    t = await startTestApp(kind, { bedrock: { maxAttempts: 3, requestTimeoutMs: 1_000 } });
    png = toBase64(await solidImage(16, 16));
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.clearFaults();
    t.emulator.resetCalls();
  });

  const row = async (id: string) => expectData(await t.gql(ROW, { id })).description;

  it('does not retry an attempt that timed out after it was sent: one call, usage and cost unknown', async () => {
    t.emulator.injectFault({ kind: 'hang' });
    const res = await t.gql(DESCRIBE, { input: { image: { base64: png } } });
    const { descriptionId } = expectErrorCode(res, 'UPSTREAM_TIMEOUT');

    expect(t.emulator.calls).toHaveLength(1);
    const failed = await row(descriptionId as string);
    expect(failed).toMatchObject({ status: 'FAILED', usageKnown: false, costUsd: null, usage: null });
    expect(failed.attempts).toEqual([
      expect.objectContaining({ outcome: 'NO_ANSWER', httpStatus: null, billed: null, errorType: 'TimeoutError' }),
    ]);
  });

  it('keeps the attempts of a request retried under its clientRequestId, and what they may have cost', async () => {
    t.emulator.injectFault({ kind: 'hang' });
    const input = { image: { base64: png }, clientRequestId: `retried-${kind}` };
    const { descriptionId } = expectErrorCode(await t.gql(DESCRIBE, { input }), 'UPSTREAM_TIMEOUT');
    const retried = expectData(await t.gql(DESCRIBE, { input })).describeImage;

    expect(retried.id).toBe(descriptionId);
    expect(t.emulator.calls).toHaveLength(2);
    expect(retried.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['NO_ANSWER', 'ANSWERED']);
    // The first attempt may have been billed, and nobody knows for how much.
    expect(retried).toMatchObject({ status: 'SUCCEEDED', usageKnown: false, costUsd: null });
    expect(retried.attempts[1].costUsd).toBe(cost(retried.usage.inputTokens, retried.usage.outputTokens));
  });

  it('records a throttled attempt and the answer after it, and charges only the billed one', async () => {
    t.emulator.injectFault({ kind: 'throttle' });
    const done = expectData(await t.gql(DESCRIBE, { input: { image: { base64: png } } })).describeImage;

    const [throttled, answered] = t.emulator.calls;
    expect(t.emulator.calls).toHaveLength(2);
    expect(done.attempts).toEqual([
      expect.objectContaining({
        outcome: 'REFUSED',
        httpStatus: 429,
        billed: false,
        errorType: 'ThrottlingException',
        bedrockRequestId: throttled!.requestId,
        costUsd: null,
      }),
      expect.objectContaining({
        outcome: 'ANSWERED',
        httpStatus: 200,
        billed: true,
        bedrockRequestId: answered!.requestId,
        inputTokens: done.usage.inputTokens,
        outputTokens: done.usage.outputTokens,
      }),
    ]);
    expect(done).toMatchObject({ status: 'SUCCEEDED', usageKnown: true, bedrockRequestId: answered!.requestId });
    expect(done.costUsd).toBe(cost(done.usage.inputTokens, done.usage.outputTokens));
    expect(done.attempts[1].costUsd).toBe(done.costUsd);
    expect(await row(done.id)).toEqual(done);
  });

  it('keeps the usage and cost of a billed InvokeModel answer whose body was cut short', async () => {
    t.emulator.injectFault({ kind: 'truncated-body' });
    const res = await t.gql(DESCRIBE, { input: { image: { base64: png }, api: 'INVOKE_MODEL' } });
    const { descriptionId } = expectErrorCode(res, 'UPSTREAM_ERROR');

    // Not retried: Bedrock answered 200, so it billed.
    expect(t.emulator.calls).toHaveLength(1);
    const failed = await row(descriptionId as string);
    const { inputTokens, outputTokens } = failed.usage;
    expect(inputTokens).toBeGreaterThan(0);
    expect(outputTokens).toBeGreaterThan(0);
    expect(failed).toMatchObject({
      status: 'FAILED',
      usageKnown: true,
      costUsd: cost(inputTokens, outputTokens),
      bedrockRequestId: t.emulator.calls[0]!.requestId,
    });
    expect(failed.attempts).toEqual([
      expect.objectContaining({ outcome: 'DAMAGED', httpStatus: 200, billed: true, inputTokens, outputTokens }),
    ]);
  });

  it('does not retry a Converse answer reset mid-body: billed, its usage unknown, its cost null', async () => {
    t.emulator.injectFault({ kind: 'reset-mid-body' });
    const { descriptionId } = expectErrorCode(
      await t.gql(DESCRIBE, { input: { image: { base64: png } } }),
      'UPSTREAM_ERROR',
    );
    expect(t.emulator.calls).toHaveLength(1);
    const failed = await row(descriptionId as string);
    expect(failed).toMatchObject({ usageKnown: false, costUsd: null });
    expect(failed.attempts).toEqual([expect.objectContaining({ outcome: 'DAMAGED', httpStatus: 200, billed: true })]);
  });

  it('records a 200 whose body is not JSON (a proxy in the way) as billed, once, with its usage unknown', async () => {
    for (const api of ['CONVERSE', 'INVOKE_MODEL']) {
      t.emulator.resetCalls();
      t.emulator.injectFault({ kind: 'non-json-body' });
      const { descriptionId } = expectErrorCode(
        await t.gql(DESCRIBE, { input: { image: { base64: png }, api } }),
        'UPSTREAM_ERROR',
      );
      expect(t.emulator.calls).toHaveLength(1);
      const failed = await row(descriptionId as string);
      expect(failed).toMatchObject({ usageKnown: false, costUsd: null });
      expect(failed.attempts).toEqual([expect.objectContaining({ outcome: 'DAMAGED', httpStatus: 200, billed: true })]);
    }
  });

  it('records an answer without usage as usage unknown with cost null, never 0, and counts it so', async () => {
    t.emulator.injectFault({ kind: 'no-usage' });
    const done = expectData(
      await t.gql(DESCRIBE, { input: { image: { base64: png }, prompt: 'no usage' } }),
    ).describeImage;
    expect(done).toMatchObject({ status: 'SUCCEEDED', usageKnown: false, costUsd: null, usage: null });
    expect(done.attempts).toEqual([
      expect.objectContaining({ outcome: 'ANSWERED', billed: true, inputTokens: null, outputTokens: null }),
    ]);

    const unknown = expectData(
      await t.gql(`{ history(filter: { usageKnown: false, search: "no usage" }) { edges { node { id } } } }`),
    ).history.edges;
    expect(unknown.map((e: { node: { id: string } }) => e.node.id)).toEqual([done.id]);
    const known = expectData(
      await t.gql(`{ history(filter: { usageKnown: true, search: "no usage" }) { totalCount } }`),
    ).history;
    expect(known.totalCount).toBe(0);
    const [bucket] = expectData(
      await t.gql(`{ usageSummary(filter: { search: "no usage" }) { requests unknownUsageRequests costUsd } }`),
    ).usageSummary;
    expect(bucket).toEqual({ requests: 1, unknownUsageRequests: 1, costUsd: '0' });

    const exported = await (await fetch(t.url.replace('/graphql', '/export/history.ndjson?usageKnown=false'))).text();
    expect(
      exported
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    ).toContainEqual(expect.objectContaining({ id: done.id, usageKnown: false, costUsd: null }));
  });

  it("keeps message_start's input tokens when an InvokeModel stream is cut", async () => {
    t.emulator.injectFault({ kind: 'reset-mid-body', afterChunks: 1 });
    const client = wsClient(t.url);
    const stream = subscribe<Record<string, any>>(
      client,
      `subscription($input: DescribeImageInput!) { describeImageStream(input: $input) { delta } }`,
      { input: { image: { base64: png }, api: 'INVOKE_MODEL', prompt: 'cut stream' } },
    );
    const error = (await stream.done.then(
      () => undefined,
      (e: unknown) => e,
    )) as { errors: { extensions: { code: string; descriptionId: string } }[] };
    await client.dispose();
    expect(error.errors[0]!.extensions.code).toBe('UPSTREAM_ERROR');

    const failed = await row(error.errors[0]!.extensions.descriptionId);
    expect(failed).toMatchObject({ status: 'FAILED', usageKnown: false, costUsd: null, usage: null });
    const [attempt] = failed.attempts;
    expect(failed.attempts).toHaveLength(1);
    expect(attempt).toMatchObject({ outcome: 'DAMAGED', billed: true, outputTokens: null });
    expect(attempt.inputTokens).toBeGreaterThan(0);
  });
});

describe('BEDROCK_RETRY_TIMEOUTS=true', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres', { bedrock: { maxAttempts: 3, requestTimeoutMs: 1_000, retryTimeouts: true } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('retries a timed-out attempt, and the row says the first may have been billed', async () => {
    t.emulator.injectFault({ kind: 'hang' });
    const png = toBase64(await solidImage(16, 16));
    const done = expectData(await t.gql(DESCRIBE, { input: { image: { base64: png } } })).describeImage;

    expect(t.emulator.calls).toHaveLength(2);
    expect(done.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['NO_ANSWER', 'ANSWERED']);
    expect(done).toMatchObject({ status: 'SUCCEEDED', usageKnown: false, costUsd: null });
    expect(done.attempts[1].costUsd).toBe(cost(done.usage.inputTokens, done.usage.outputTokens));
  });
});

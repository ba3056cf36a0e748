import {
  AccessDeniedException,
  ConverseCommand,
  InternalServerException,
  ModelErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator, FaultKind } from '../../src/emulator/index.js';
import { bedrockClient, sdkError, SONNET_3 } from './helpers.js';

const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';

describe('Emulator: faults', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => {
    emulator.clearFaults();
    emulator.resetCalls();
  });
  afterAll(() => emulator.close());

  function converse(modelId = SONNET_3, maxAttempts = 1) {
    return bedrockClient(emulator.url, { maxAttempts }).send(
      new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }),
    );
  }

  it.each([
    ['throttle', ThrottlingException, 429],
    ['server-error', InternalServerException, 500],
    ['unavailable', ServiceUnavailableException, 503],
    ['validation', ValidationException, 400],
    ['model-timeout', ModelTimeoutException, 408],
    ['model-error', ModelErrorException, 424],
    ['not-found', ResourceNotFoundException, 404],
    ['access-denied', AccessDeniedException, 403],
    ['end-of-life', ResourceNotFoundException, 404],
  ] as const)(
    'answers a %s fault with the status and error type the SDK maps to its exception class',
    async (kind: FaultKind, type, status) => {
      emulator.injectFault({ kind });

      const err = await sdkError(converse());

      expect(err).toBeInstanceOf(type);
      expect(err.name).toBe(type.name);
      expect(err.$metadata.httpStatusCode).toBe(status);
      expect(err.$metadata.requestId).toBe(emulator.calls.at(-1)?.requestId);
      expect(emulator.calls.at(-1)?.status).toBe(status);
    },
  );

  it('words retired and forbidden models as Bedrock does', async () => {
    emulator.injectFault({ kind: 'end-of-life' });
    emulator.injectFault({ kind: 'access-denied' });

    expect((await sdkError(converse())).message).toBe(
      'This model version has reached the end of its life. Please refer to the AWS documentation for more details.',
    );
    expect((await sdkError(converse())).message).toBe(
      "You don't have access to the model with the specified model ID.",
    );
  });

  it('uses the message a fault carries', async () => {
    emulator.injectFault({ kind: 'throttle', message: 'Slow down, test.' });

    expect((await sdkError(converse())).message).toBe('Slow down, test.');
  });

  it('consumes faults first in, first out, one per call', async () => {
    emulator.injectFault({ kind: 'throttle' });
    emulator.injectFault({ kind: 'unavailable' });
    emulator.injectFault({ kind: 'model-timeout' });

    const names = [];
    for (let i = 0; i < 3; i++) names.push((await sdkError(converse())).name);
    const res = await converse();

    expect(names).toEqual(['ThrottlingException', 'ServiceUnavailableException', 'ModelTimeoutException']);
    expect(res.stopReason).toBe('end_turn');
    expect(emulator.calls.map((c) => c.status)).toEqual([429, 503, 408, 200]);
  });

  it('applies a fault to as many calls as its times says', async () => {
    emulator.injectFault({ kind: 'server-error', times: 2 });
    emulator.injectFault({ kind: 'throttle' });

    await sdkError(converse());
    await sdkError(converse());
    const third = await sdkError(converse());
    await converse();

    expect(third.name).toBe('ThrottlingException');
    expect(emulator.calls.map((c) => c.status)).toEqual([500, 500, 429, 200]);
  });

  it('keeps a fault with times Infinity until the faults are cleared', async () => {
    emulator.injectFault({ kind: 'unavailable', times: Infinity });

    for (let i = 0; i < 5; i++) expect((await sdkError(converse())).name).toBe('ServiceUnavailableException');
    emulator.clearFaults();
    await converse();

    expect(emulator.calls).toHaveLength(6);
  });

  // The SDK backs off up to 1 s then 2 s after a throttle, hence the longer timeout.
  it('lets the SDK retry through throttling, recording every attempt', { timeout: 10_000 }, async () => {
    emulator.injectFault({ kind: 'throttle', times: 2 });

    const res = await converse(SONNET_3, 3);

    expect(res.stopReason).toBe('end_turn');
    expect(emulator.calls.map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('applies a fault for one model only to calls for that model', async () => {
    emulator.injectFault({ kind: 'end-of-life', modelId: SONNET_3 });

    await converse(HAIKU_3);
    const err = await sdkError(converse(SONNET_3));

    expect(err.name).toBe('ResourceNotFoundException');
    expect(emulator.calls.map((c) => [c.modelId, c.status])).toEqual([
      [HAIKU_3, 200],
      [SONNET_3, 404],
    ]);
  });

  it('answers normally after the delay of a slow fault', async () => {
    emulator.injectFault({ kind: 'slow', delayMs: 300 });

    const started = Date.now();
    const res = await converse();

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.metrics?.latencyMs).toBeGreaterThanOrEqual(300);
    expect(emulator.calls.at(-1)?.status).toBe(200);
  });

  it('refuses a fault it does not know at injection', () => {
    expect(() => emulator.injectFault({ kind: 'explode' as FaultKind })).toThrow(TypeError);
    expect(() => emulator.injectFault({ kind: 'throttle', times: 0 })).toThrow(TypeError);
  });

  it('adds the configured latency before every answer', async () => {
    const slow = await startEmulator({ latencyMs: 200 });
    try {
      const res = await bedrockClient(slow.url).send(
        new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }),
      );
      expect(res.metrics?.latencyMs).toBeGreaterThanOrEqual(200);
    } finally {
      await slow.close();
    }
  });
});

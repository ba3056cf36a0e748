import { describe, expect, it } from 'vitest';
import { SONNET_3, expectAppError, request, useEmulator } from './helpers.js';

const t = useEmulator();
const NOVA_PRO = 'amazon.nova-pro-v1:0';

describe('Bedrock adapter: a refused model says why', () => {
  it('says a retired model reached its end of life, with its date', async () => {
    t.emulator.injectFault({ kind: 'end-of-life' });

    const error = await expectAppError(t.model.describe(await request()), 'UPSTREAM_MODEL_UNAVAILABLE');

    expect(error.message).toContain(`Claude 3 Sonnet (${SONNET_3}) reached its end of life on Bedrock on 2025-07-21`);
    expect(error.message).not.toMatch(/denied|does not know/);
  });

  it('says access was denied, and how to get it, even for a model the catalog marks retired', async () => {
    t.emulator.injectFault({ kind: 'access-denied' });

    const error = await expectAppError(t.model.describe(await request()), 'UPSTREAM_MODEL_UNAVAILABLE');

    expect(error.message).toContain(`Bedrock denied this AWS account access to model ${SONNET_3}`);
    expect(error.message).toContain('Model access');
    expect(error.message).not.toMatch(/end of (its )?life/);
    expect(error.message).toContain('Bedrock said: AccessDeniedException');
  });

  it('says the model is unknown in the region when Bedrock cannot resolve it', async () => {
    t.emulator.injectFault({ kind: 'not-found' });

    const error = await expectAppError(
      t.model.describe(await request({ modelId: NOVA_PRO })),
      'UPSTREAM_MODEL_UNAVAILABLE',
    );

    expect(error.message).toContain(`Bedrock does not know model ${NOVA_PRO} in this region`);
    expect(error.message).toContain('inference profile');
    expect(error.message).not.toMatch(/end of (its )?life|denied/);
  });

  it('says end of life when Bedrock does, for a model the catalog still thinks current', async () => {
    t.emulator.injectFault({ kind: 'end-of-life' });

    const error = await expectAppError(
      t.model.describe(await request({ modelId: NOVA_PRO })),
      'UPSTREAM_MODEL_UNAVAILABLE',
    );

    expect(error.message).toContain(`Bedrock says model ${NOVA_PRO} reached its end of life`);
  });

  it('tells the three refusals apart on a stream too', async () => {
    const messages: string[] = [];
    for (const kind of ['end-of-life', 'access-denied', 'not-found'] as const) {
      t.emulator.injectFault({ kind });
      const stream = t.model.describeStream(await request());
      const error = await expectAppError(
        (async () => {
          for await (const event of stream) void event;
        })(),
        'UPSTREAM_MODEL_UNAVAILABLE',
      );
      messages.push(error.message);
    }

    expect(messages[0]).toMatch(/reached its end of life/);
    expect(messages[1]).toMatch(/denied this AWS account access/);
    expect(messages[2]).toMatch(/does not know model/);
  });
});

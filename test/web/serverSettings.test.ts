import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_LIMITS } from '../../src/images/index.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

describe('GraphQL settings', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp('pglite', {
      bedrock: { defaultModelId: 'amazon.nova-lite-v1:0' },
      images: { maxUploadBytes: 12_345_678 },
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('reports the configured default model, the upload limit and the image limits the server checks', async () => {
    const res = await app.gql('{ settings { defaultModelId imageMaxBytes imageMaxSide maxImages uploadMaxBytes } }');
    expect(res.errors).toBeUndefined();
    expect(res.data!.settings).toEqual({
      defaultModelId: 'amazon.nova-lite-v1:0',
      imageMaxBytes: IMAGE_LIMITS.maxBytes,
      imageMaxSide: IMAGE_LIMITS.maxSide,
      maxImages: IMAGE_LIMITS.maxImages,
      uploadMaxBytes: 12_345_678,
    });
  });
});

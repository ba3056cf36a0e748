import { describe, expect, it } from 'vitest';

interface Model {
  id: string;
  provider: string;
  lifecycle: 'ACTIVE' | 'LEGACY' | 'END_OF_LIFE';
  endOfLifeDate: string | null;
  successor: string | null;
  inputUsdPerMillion: string;
  outputUsdPerMillion: string;
}

/** The page's module (browser JavaScript without DOM use), imported for its pure functions. */
async function modelChoice(): Promise<{ initialModel(models: Model[], defaultModelId: string): Model | undefined }> {
  return import(new URL('../../src/web/assets/modelChoice.js', import.meta.url).href);
}

const model = (id: string, fields: Partial<Model> = {}): Model => ({
  id,
  provider: 'Anthropic',
  lifecycle: 'ACTIVE',
  endOfLifeDate: null,
  successor: null,
  inputUsdPerMillion: '3',
  outputUsdPerMillion: '15',
  ...fields,
});

describe('The model the describe form starts on', () => {
  it("is the server's default while that is current (the choice is left to the server)", async () => {
    const { initialModel } = await modelChoice();
    const models = [model('old', { lifecycle: 'LEGACY', endOfLifeDate: '2999-01-01' }), model('new')];
    expect(initialModel(models, 'old')).toBeUndefined();
    expect(initialModel(models, 'not-in-the-catalog')).toBeUndefined();
  });

  it("is a retired default's successor, followed past a successor that retired too", async () => {
    const { initialModel } = await modelChoice();
    const models = [
      model('v1', { lifecycle: 'END_OF_LIFE', successor: 'v2' }),
      // Past its end-of-life date, though the catalog still says LEGACY.
      model('v2', { lifecycle: 'LEGACY', endOfLifeDate: '2020-01-01', successor: 'v3' }),
      model('v3', { inputUsdPerMillion: '15', outputUsdPerMillion: '75' }),
      model('cheaper-twin'),
    ];
    expect(initialModel(models, 'v1')?.id).toBe('v3');
  });

  it('is, without a usable successor, a current model of the same provider at the nearest price', async () => {
    const { initialModel } = await modelChoice();
    const models = [
      model('retired', { lifecycle: 'END_OF_LIFE', successor: 'gone' }),
      model('opus', { inputUsdPerMillion: '15', outputUsdPerMillion: '75' }),
      model('sonnet-a', { inputUsdPerMillion: '3.3', outputUsdPerMillion: '16.5' }),
      model('sonnet-b', { inputUsdPerMillion: '3.3', outputUsdPerMillion: '16.5' }),
      model('nova', { provider: 'Amazon', inputUsdPerMillion: '3', outputUsdPerMillion: '15' }),
      // A cycle of successors ends, and a retired model is never chosen.
      model('loop-a', { lifecycle: 'END_OF_LIFE', successor: 'loop-b' }),
      model('loop-b', { lifecycle: 'END_OF_LIFE', successor: 'loop-a' }),
    ];
    // The later of two at the same price: the catalog lists a family oldest first.
    expect(initialModel(models, 'retired')?.id).toBe('sonnet-b');
    expect(initialModel(models, 'loop-a')?.id).toBe('sonnet-b');
  });
});

/**
 * Bulk seeding of the ledger for the history benchmark: realistic rows made by PostgreSQL itself
 * (`INSERT … SELECT … FROM generate_series`), no ORM and no row-by-row round trips.
 *
 * Every per-request value that two statements must agree on (the id, the number of images, the
 * creation time) is a pure function of the row number `g` (md5 of it), so the requests and their
 * image links are written by two connections at once, each in time order, as a live ledger is.
 * Secondary indexes and the link table's constraints are dropped for the load and recreated from
 * the definitions the catalog held before (the migrations' own), then compared, so the schema the
 * benchmark measures is exactly the migrated one.
 */
import pg from 'pg';

/** One model id as the ledger stores it, with its catalog prices (USD per million tokens, src/bedrock/models.json). */
interface SeedModel {
  readonly modelId: string;
  readonly input: string;
  readonly output: string;
  /** Relative share of the requests. */
  readonly weight: number;
  /** Share of the calls made through InvokeModel rather than Converse. */
  readonly invokeShare: number;
}

export const SEED_MODELS: readonly SeedModel[] = [
  { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', input: '0.25', output: '1.25', weight: 10, invokeShare: 0.4 },
  { modelId: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0', input: '3', output: '15', weight: 5, invokeShare: 0.4 },
  { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', input: '3', output: '15', weight: 7, invokeShare: 0.3 },
  { modelId: 'anthropic.claude-sonnet-4-20250514-v1:0', input: '3', output: '15', weight: 6, invokeShare: 0.3 },
  { modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0', input: '3', output: '15', weight: 9, invokeShare: 0.3 },
  {
    modelId: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
    input: '3',
    output: '15',
    weight: 10,
    invokeShare: 0.25,
  },
  { modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', input: '3', output: '15', weight: 8, invokeShare: 0.25 },
  { modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0', input: '1', output: '5', weight: 12, invokeShare: 0.3 },
  { modelId: 'us.anthropic.claude-opus-4-1-20250805-v1:0', input: '15', output: '75', weight: 3, invokeShare: 0.3 },
  { modelId: 'amazon.nova-lite-v1:0', input: '0.06', output: '0.24', weight: 12, invokeShare: 0.1 },
  { modelId: 'us.amazon.nova-pro-v1:0', input: '0.8', output: '3.2', weight: 9, invokeShare: 0.1 },
  { modelId: 'us.meta.llama3-2-11b-instruct-v1:0', input: '0.16', output: '0.16', weight: 5, invokeShare: 0.5 },
  { modelId: 'mistral.pixtral-large-2502-v1:0', input: '2', output: '6', weight: 4, invokeShare: 0.5 },
];

export const baseModelIdOf = (modelId: string) => modelId.replace(/^(?:us|eu|apac|global|us-gov|jp|au|ca)\./, '');

const PROMPTS = [
  'Describe this image in detail.',
  'Describe this image.',
  'What is in this picture?',
  'Write alt text for this image, one or two sentences.',
  'List the objects you can see and where they are.',
  'Describe the scene for a visually impaired reader.',
  'Summarise what is happening in this photo.',
  'Describe the product shown, its colour and condition.',
  'Compare these images and describe the differences.',
  'Is anything unusual or unsafe in this picture? Describe it.',
  'Write a short caption for a news article about this photo.',
  'Describe the people, the setting and the mood.',
];

const SYSTEM_PROMPTS = [
  'You are a careful assistant that describes images accurately and never guesses names.',
  'Answer in plain English. Be concise and factual.',
  'You write accessible alternative text for a museum website.',
  'You describe photos taken by warehouse inspectors for a safety report.',
];

// Error codes as src/bedrock/bedrockErrorToAppError.ts and the start-up sweep write them, with their shares of FAILED.
const ERRORS: readonly (readonly [code: string, share: number, message: string])[] = [
  [
    'UPSTREAM_THROTTLED',
    0.45,
    'Bedrock throttled the request after retries (ThrottlingException: Too many requests, please wait before trying again.)',
  ],
  ['UPSTREAM_TIMEOUT', 0.2, 'Bedrock did not answer in time (TimeoutError: Connection timed out after 120000 ms)'],
  [
    'UPSTREAM_ERROR',
    0.25,
    'Bedrock call failed (ModelErrorException: The system encountered an unexpected error during processing. Try your request again.)',
  ],
  [
    'UPSTREAM_MODEL_UNAVAILABLE',
    0.07,
    'This model is not available to this account. Bedrock said: AccessDeniedException: You don’t have access to the model with the specified model ID.',
  ],
  ['INTERRUPTED', 0.03, 'The server stopped while this request was running'],
];

/** The rare word of the benchmark's selective text search: it appears in RARE_SHARE of the descriptions and nowhere else. */
export const RARE_WORD = 'forklift';
const RARE_SHARE = 0.005;
/** A word no row contains: the worst case for a search (no early stop). */
export const ABSENT_WORD = 'zeppelin';

/** mulberry32: a small deterministic PRNG, so every seeding writes the same vocabulary. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = (list: string) => list.split(' ');
const phrases = (list: string) => list.split('|');
const W = {
  adj: words(
    'small large old new red blue green white black grey brown yellow wooden metal plastic glass shiny worn rusty bright dark tall narrow wide round square striped crowded empty quiet busy modern rustic wet dry blurry sharp colourful faded tiny huge folded open closed broken clean dusty',
  ),
  noun: words(
    'dog cat child woman man bicycle car truck bus train tree house window door table chair lamp bottle cup plate book laptop phone bag box shelf street road bridge river lake mountain field garden flower fence wall roof sign bench kitchen desk sofa bed mirror painting statue boat harbour market crowd umbrella backpack helmet jacket shoe basket ladder pallet crate container',
  ),
  verb: words('stands sits lies rests leans hangs waits runs walks sleeps shines floats appears stretches'),
  prep: phrases('on|near|beside|behind|under|above|against|in front of|next to|across'),
  place: phrases('foreground|background|centre|left side|right side|top corner|bottom edge|middle distance|upper half'),
  light: phrases(
    'soft natural daylight|warm indoor lighting|harsh midday sun|overcast light|golden evening light|dim artificial light|a bright flash|cool fluorescent light',
  ),
  time: phrases(
    'in the morning|at noon|in the late afternoon|at dusk|at night|on a cloudy day|on a sunny day|in winter|in summer',
  ),
};

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** Distinct sentences of ~35–100 characters from the vocabulary above; a description is 4–8 of them. */
function makeSentences(count: number): string[] {
  const rand = prng(20261124);
  const a = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
  const templates: (() => string)[] = [
    () =>
      `The image shows ${a(pick(rand, W.adj))} ${pick(rand, W.noun)} ${pick(rand, W.prep)} ${a(pick(rand, W.adj))} ${pick(rand, W.noun)}.`,
    () =>
      `In the ${pick(rand, W.place)}, ${a(pick(rand, W.noun))} ${pick(rand, W.verb)} ${pick(rand, W.prep)} the ${pick(rand, W.adj)} ${pick(rand, W.noun)}.`,
    () => `The lighting is ${pick(rand, W.light)}, and the colours are ${pick(rand, W.adj)} and ${pick(rand, W.adj)}.`,
    () =>
      `${a(pick(rand, W.adj)).replace(/^a/, 'A')} ${pick(rand, W.noun)} ${pick(rand, W.verb)} while ${a(pick(rand, W.noun))} ${pick(rand, W.verb)} in the ${pick(rand, W.place)}.`,
    () =>
      `There are ${2 + Math.floor(rand() * 9)} ${pick(rand, W.noun)}s ${pick(rand, W.prep)} the ${pick(rand, W.adj)} ${pick(rand, W.noun)}.`,
    () => `The photo appears to have been taken ${pick(rand, W.time)}, with ${pick(rand, W.light)}.`,
    () =>
      `No text is legible, although a ${pick(rand, W.adj)} sign ${pick(rand, W.verb)} ${pick(rand, W.prep)} the ${pick(rand, W.noun)}.`,
    () =>
      `Overall the scene feels ${pick(rand, W.adj)} and ${pick(rand, W.adj)}, centred on the ${pick(rand, W.noun)} and the ${pick(rand, W.noun)}.`,
  ];
  const out = new Set<string>();
  while (out.size < count) out.add(pick(rand, templates)());
  return [...out];
}

function makeRareSentences(): string[] {
  const rand = prng(7);
  const out = new Set<string>();
  while (out.size < 24) {
    const subject = pick(rand, ['A yellow', 'An orange', 'A red', 'An old', 'A small electric']);
    const action = pick(rand, ['is lifting a pallet', 'stands', 'is parked', 'carries two crates', 'reverses']);
    const where = pick(rand, ['near the loading dock', 'beside the shelves', 'in the background', 'on the left']);
    out.add(`${subject} ${RARE_WORD} ${action} ${where}.`);
  }
  return [...out];
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const textArray = (items: readonly string[]) => `ARRAY[${items.map(q).join(', ')}]::text[]`;

/** `CASE WHEN r < c1 THEN 1 WHEN r < c2 THEN 2 … END` for weighted choices (0-based index). */
function weightedIndex(r: string, weights: readonly number[]): string {
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  const arms = weights.slice(0, -1).map((w, i) => {
    acc += w;
    return `WHEN ${r} < ${(acc / total).toFixed(6)} THEN ${i}`;
  });
  return `(CASE ${arms.join(' ')} ELSE ${weights.length - 1} END)`;
}

// Pure functions of the row number g (the md5 bytes h), shared by both statements.
const ROW_HASH = `decode(md5('bvg-bench-request-' || g), 'hex')`;
/** A version-4 UUID made from h, like the app's randomUUID(). */
const ROW_ID = `encode(set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 64), 8, (get_byte(h, 8) & 63) | 128), 'hex')::uuid`;
/** 1 image for 70 % of requests, 2 for 20 %, 3 for 10 %. */
const ROW_IMAGES = `(CASE WHEN get_byte(h, 15) < 179 THEN 1 WHEN get_byte(h, 15) < 230 THEN 2 ELSE 3 END)`;
/** Evenly spread over the 365 days before the anchor, in row order (g = rows is the newest). */
const rowCreatedAt = (rows: number) =>
  `($1::timestamptz - make_interval(secs => 31536000.0 * (${rows} - g + get_byte(h, 14) / 256.0) / ${rows}))`;

export const imageSha256Sql = (n: string) => `encode(sha256(convert_to('bvg-bench-image-' || ${n}, 'UTF8')), 'hex')`;

/**
 * Tags as callers attach them: a common one (team: vision 50 %, search 25 %, support 15 %, none
 * 10 %), a feature out of 20 with every team, and a rare one (customer: 30 % of rows, one of
 * 10 000 customers, so ~30 rows each). Tiers: DEFAULT 90 %, FLEX 7 %, PRIORITY 3 %.
 */
const TAGS_SQL = `CASE WHEN x.r_team >= 0.9 THEN '{}'::jsonb ELSE jsonb_build_object(
        'team', CASE WHEN x.r_team < 0.5 THEN 'vision' WHEN x.r_team < 0.75 THEN 'search' ELSE 'support' END,
        'feature', 'feature-' || x.feature) END
      || CASE WHEN x.r_customer < 0.3 THEN jsonb_build_object('customer', 'c' || x.customer) ELSE '{}'::jsonb END`;

function requestInsertSql(rows: number, from: number, to: number): string {
  const errorIndex = weightedIndex(
    'x.r_error',
    ERRORS.map(([, share]) => share),
  );
  const errorCodes = textArray(ERRORS.map(([code]) => code));
  const errorMessages = textArray(ERRORS.map(([, , message]) => message));
  return `
INSERT INTO "description_request" ("id", "status", "modelId", "baseModelId", "api", "prompt", "systemPrompt",
  "maxTokens", "temperature", "topP", "text", "stopReason", "inputTokens", "outputTokens", "totalTokens", "costUsd",
  "latencyMs", "modelLatencyMs", "bedrockRequestId", "errorCode", "errorMessage", "clientRequestId", "requestHash",
  "createdAt", "completedAt", "serviceTier", "tags")
SELECT z.id, CASE WHEN z.ok THEN 'SUCCEEDED' ELSE 'FAILED' END::"DescriptionStatus", z.model_id, z.base_model_id,
  z.api::"BedrockApi", z.prompt, z.system_prompt, z.max_tokens, z.temperature, z.top_p,
  z.text, CASE WHEN z.ok THEN 'end_turn' END,
  CASE WHEN z.ok THEN z.input_tokens END,
  CASE WHEN z.ok THEN z.output_tokens END,
  CASE WHEN z.ok THEN z.input_tokens + z.output_tokens END,
  CASE WHEN z.ok THEN (z.input_tokens * z.input_price + z.output_tokens * z.output_price) / 1000000 END,
  z.latency_ms,
  CASE WHEN z.ok AND z.api = 'CONVERSE' THEN greatest(1, z.latency_ms - z.overhead_ms) END,
  CASE WHEN z.error_code = 'INTERRUPTED' THEN NULL ELSE gen_random_uuid()::text END,
  z.error_code, z.error_message, z.client_request_id,
  encode(sha256(convert_to(z.id::text || z.model_id || z.prompt, 'UTF8')), 'hex'),
  z.created_at,
  z.created_at + CASE WHEN z.error_code = 'INTERRUPTED' THEN interval '20 minutes'
                      ELSE make_interval(secs => (z.latency_ms + 3) / 1000.0) END,
  z.service_tier::"ServiceTier", z.tags
FROM (
  SELECT y.*,
    y.images * (380 + floor(y.r_tokens * 1250)::int) + 14 + length(y.prompt) / 4
      + coalesce(length(y.system_prompt) / 4 + 8, 0) AS input_tokens,
    ceil(length(y.text) / 4.2)::int + floor(y.r_out * 12)::int AS output_tokens,
    CASE WHEN y.ok THEN 200 + floor(exp(y.r_latency * ln(99.0)) * 200 - 200)::int
         WHEN y.error_code = 'INTERRUPTED' THEN NULL
         WHEN y.error_code = 'UPSTREAM_TIMEOUT' THEN 15000 + floor(y.r_latency * 5000)::int
         ELSE 200 + floor(y.r_latency * 6000)::int END AS latency_ms
  FROM (
    SELECT x.g, x.id, x.images, x.created_at, x.ok, x.r_tokens, x.r_out, x.r_latency,
      (x.r_overhead * 90)::int + 15 AS overhead_ms,
      m.model_id, m.base_model_id, m.input_price, m.output_price,
      CASE WHEN x.r_api < m.invoke_share THEN 'INVOKE_MODEL' ELSE 'CONVERSE' END AS api,
      (${textArray(PROMPTS)})[1 + floor(x.r_prompt * x.r_prompt * ${PROMPTS.length})::int] AS prompt,
      CASE WHEN x.r_system < 0.4 THEN (${textArray(SYSTEM_PROMPTS)})[1 + floor(x.r_system * 10)::int] END AS system_prompt,
      (ARRAY[256, 512, 1000, 1024, 2048, 4096])[1 + floor(x.r_max * 6)::int] AS max_tokens,
      CASE WHEN x.r_temp < 0.5 THEN NULL ELSE round((x.r_temp * 2 - 1)::numeric, 1)::float8 END AS temperature,
      CASE WHEN x.r_top < 0.8 THEN NULL ELSE 0.9::float8 END AS top_p,
      CASE WHEN x.ok THEN concat_ws(' ',
        CASE WHEN x.rare AND x.r_rare_pos < 0.3 THEN r.s END, s1.s, s2.s,
        CASE WHEN x.rare AND x.r_rare_pos >= 0.3 AND x.r_rare_pos < 0.6 THEN r.s END,
        s3.s, s4.s, CASE WHEN x.sentences >= 5 THEN s5.s END, CASE WHEN x.sentences >= 6 THEN s6.s END,
        CASE WHEN x.sentences >= 7 THEN s7.s END, CASE WHEN x.sentences >= 8 THEN s8.s END,
        CASE WHEN x.rare AND x.r_rare_pos >= 0.6 THEN r.s END) END AS text,
      CASE WHEN x.ok THEN NULL ELSE (${errorCodes})[1 + ${errorIndex}] END AS error_code,
      CASE WHEN x.ok THEN NULL ELSE (${errorMessages})[1 + ${errorIndex}] END AS error_message,
      CASE WHEN x.r_client < 0.3 THEN 'web-' || x.g || '-' || substr(md5(x.r_client::text), 1, 10) END AS client_request_id,
      ${TAGS_SQL} AS tags,
      CASE WHEN x.r_tier < 0.9 THEN 'DEFAULT' WHEN x.r_tier < 0.97 THEN 'FLEX' ELSE 'PRIORITY' END AS service_tier
    FROM (
      SELECT g, ${ROW_ID} AS id, ${ROW_IMAGES} AS images, ${rowCreatedAt(rows)} AS created_at,
        random() < 0.94 AS ok, random() < ${RARE_SHARE} AS rare, 4 + floor(random() * 5)::int AS sentences,
        random() AS r_model, random() AS r_api, random() AS r_prompt, random() AS r_system, random() AS r_max,
        random() AS r_temp, random() AS r_top, random() AS r_tokens, random() AS r_out, random() AS r_latency,
        random() AS r_overhead, random() AS r_error, random() AS r_client, random() AS r_rare_pos,
        floor(random() * 4000)::int AS i1, floor(random() * 4000)::int AS i2, floor(random() * 4000)::int AS i3,
        floor(random() * 4000)::int AS i4, floor(random() * 4000)::int AS i5, floor(random() * 4000)::int AS i6,
        floor(random() * 4000)::int AS i7, floor(random() * 4000)::int AS i8,
        floor(random() * 24)::int AS ir,
        random() AS r_team, floor(random() * 20)::int AS feature, random() AS r_customer,
        floor(random() * 10000)::int AS customer, random() AS r_tier
      FROM (SELECT g, ${ROW_HASH} AS h FROM generate_series(${from}, ${to}) AS g) AS hashed
      OFFSET 0
    ) AS x
    JOIN bench_model m ON m.n = ${weightedIndex(
      'x.r_model',
      SEED_MODELS.map((m) => m.weight),
    )}
    JOIN bench_sentence s1 ON s1.n = x.i1
    JOIN bench_sentence s2 ON s2.n = x.i2
    JOIN bench_sentence s3 ON s3.n = x.i3
    JOIN bench_sentence s4 ON s4.n = x.i4
    JOIN bench_sentence s5 ON s5.n = x.i5
    JOIN bench_sentence s6 ON s6.n = x.i6
    JOIN bench_sentence s7 ON s7.n = x.i7
    JOIN bench_sentence s8 ON s8.n = x.i8
    JOIN bench_rare r ON r.n = x.ir
    OFFSET 0
  ) AS y
  OFFSET 0
) AS z`;
}

/**
 * Image links in request order: the images are drawn with a skew (index = 50 000·u², so the most
 * popular image is in ~0.5 % of requests and the least used in a dozen). Rows older than ~200 days
 * predate the image-intake migration and keep its columns null, as the migration left them.
 */
function linkInsertSql(rows: number, images: number, from: number, to: number): string {
  return `
INSERT INTO "description_image" ("descriptionId", "position", "imageSha256", "source", "originalMediaType",
  "originalWidth", "originalHeight", "originalByteSize", "requestCreatedAt")
SELECT l.id, l.position, ${imageSha256Sql('l.img')},
  CASE WHEN l.old THEN NULL ELSE (ARRAY['BASE64', 'URL', 'UPLOAD'])[1 + floor(l.r_source * 3)::int]::"ImageSourceKind" END,
  CASE WHEN l.old THEN NULL WHEN l.img % 3 = 0 THEN 'image/heic' ELSE 'image/jpeg' END,
  CASE WHEN l.old THEN NULL WHEN l.img % 3 = 0 THEN 4032 ELSE 1568 END,
  CASE WHEN l.old THEN NULL WHEN l.img % 3 = 0 THEN 3024 ELSE 1176 END,
  CASE WHEN l.old THEN NULL ELSE 200000 + (l.img * 7919) % 3000000 END,
  l.created_at
FROM (
  SELECT ${ROW_ID} AS id, p AS position, ${rowCreatedAt(rows)} AS created_at, g < ${Math.round((rows * 165) / 365)} AS old,
    1 + floor(${images} * random() ^ 2)::int AS img, random() AS r_source
  FROM (SELECT g, ${ROW_HASH} AS h FROM generate_series(${from}, ${to}) AS g) AS hashed,
    generate_series(0, ${ROW_IMAGES} - 1) AS p
) AS l`;
}

function imageInsertSql(images: number): string {
  return `
INSERT INTO "image" ("sha256", "mediaType", "byteSize", "width", "height", "createdAt")
SELECT ${imageSha256Sql('i')},
  CASE WHEN i % 10 < 7 THEN 'image/jpeg' WHEN i % 10 < 9 THEN 'image/png' ELSE 'image/webp' END,
  20000 + (i::bigint * 104729) % 3900000,
  400 + (i * 7919) % 1169, 300 + (i * 6151) % 877,
  $1::timestamptz - interval '366 days'
FROM generate_series(1, ${images}) AS i`;
}

const SEED_TABLES = ['description_request', 'description_image'];

interface SchemaSnapshot {
  /** Standalone indexes (not backing a constraint): name → CREATE INDEX statement. */
  readonly indexes: Map<string, string>;
  /** Constraints other than NOT NULL/CHECK on the seeded tables: name → [table, definition, type]. */
  readonly constraints: Map<string, { table: string; definition: string; type: string }>;
}

async function snapshotSchema(client: pg.ClientBase): Promise<SchemaSnapshot> {
  const { rows: indexRows } = await client.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
     ORDER BY 1`,
    [SEED_TABLES],
  );
  const { rows: constraintRows } = await client.query<{
    name: string;
    table: string;
    definition: string;
    type: string;
  }>(
    `SELECT c.conname AS name, t.relname AS table, pg_get_constraintdef(c.oid) AS definition, c.contype AS type
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
     ORDER BY 1`,
    [SEED_TABLES],
  );
  return {
    indexes: new Map(indexRows.map((r) => [r.name, r.definition])),
    constraints: new Map(
      constraintRows.map((r) => [r.name, { table: r.table, definition: r.definition, type: r.type }]),
    ),
  };
}

function sameSchema(a: SchemaSnapshot, b: SchemaSnapshot): boolean {
  const flat = (s: SchemaSnapshot) =>
    JSON.stringify([
      [...s.indexes].sort(),
      [...s.constraints].map(([name, c]) => [name, c.table, c.definition, c.type]).sort(),
    ]);
  return flat(a) === flat(b);
}

export interface SeedOptions {
  readonly url: string;
  readonly rows: number;
  readonly images: number;
  readonly log: (message: string) => void;
}

export interface SeedReport {
  readonly seconds: number;
  readonly steps: readonly (readonly [step: string, seconds: number])[];
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Bulk-load settings for these sessions only; the server's configuration is left alone.
  await client.query(`SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 0;
    SET synchronous_commit = off; SET work_mem = '64MB'`);
  return client;
}

async function createSeedHelpers(client: pg.Client): Promise<void> {
  await client.query(`CREATE TEMP TABLE bench_sentence (n int PRIMARY KEY, s text NOT NULL);
    CREATE TEMP TABLE bench_rare (n int PRIMARY KEY, s text NOT NULL);
    CREATE TEMP TABLE bench_model (n int PRIMARY KEY, model_id text, base_model_id text, input_price numeric,
      output_price numeric, invoke_share float8)`);
  await client.query(`INSERT INTO bench_sentence SELECT o - 1, s FROM unnest($1::text[]) WITH ORDINALITY AS u(s, o)`, [
    makeSentences(4000),
  ]);
  await client.query(`INSERT INTO bench_rare SELECT o - 1, s FROM unnest($1::text[]) WITH ORDINALITY AS u(s, o)`, [
    makeRareSentences(),
  ]);
  await client.query(
    `INSERT INTO bench_model SELECT o - 1, m, regexp_replace(m, '^(us|eu|apac|global|us-gov|jp|au|ca)\\.', ''), i, p, s
     FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::float8[]) WITH ORDINALITY AS u(m, i, p, s, o)`,
    [
      SEED_MODELS.map((m) => m.modelId),
      SEED_MODELS.map((m) => m.input),
      SEED_MODELS.map((m) => m.output),
      SEED_MODELS.map((m) => m.invokeShare),
    ],
  );
  await client.query('ANALYZE bench_sentence; ANALYZE bench_rare; ANALYZE bench_model');
}

/** Runs `jobs` on the given connections, each connection taking the next job when free. */
async function runOn(clients: readonly pg.Client[], jobs: readonly string[], log: (m: string) => void) {
  const queue = [...jobs];
  await Promise.all(
    clients.map(async (client) => {
      for (let sql = queue.shift(); sql !== undefined; sql = queue.shift()) {
        const started = performance.now();
        await client.query(sql);
        log(`  ${sql.replace(/\s+/g, ' ').slice(0, 110)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      }
    }),
  );
}

/**
 * Fills an empty, migrated ledger with `rows` requests over the last 365 days. Two connections:
 * one writes the requests, the other the images and links; then both rebuild the indexes.
 */
export async function seedHistory(options: SeedOptions): Promise<SeedReport> {
  const { url, rows, images, log } = options;
  const started = performance.now();
  const steps: [string, number][] = [];
  let stepStart = started;
  const step = (name: string) => {
    const now = performance.now();
    steps.push([name, (now - stepStart) / 1000]);
    log(`${name}: ${((now - stepStart) / 1000).toFixed(1)} s`);
    stepStart = now;
  };
  const a = await connect(url);
  const b = await connect(url);
  try {
    const { rows: existing } = await a.query<{ n: string }>('SELECT count(*) AS n FROM "description_request"');
    if (Number(existing[0]?.n) !== 0) throw new Error('seedHistory needs an empty ledger');
    const before = await snapshotSchema(a);
    // Drop what slows a bulk load down: foreign keys first (they depend on the primary keys), then keys and indexes.
    for (const [name, c] of before.constraints) {
      if (c.type === 'f') await a.query(`ALTER TABLE "${c.table}" DROP CONSTRAINT "${name}"`);
    }
    for (const [name, c] of before.constraints) {
      if (c.type !== 'f') await a.query(`ALTER TABLE "${c.table}" DROP CONSTRAINT "${name}"`);
    }
    for (const name of before.indexes.keys()) await a.query(`DROP INDEX "${name}"`);
    await createSeedHelpers(a);
    step('drop indexes and constraints');

    const anchor = new Date();
    anchor.setMilliseconds(0);
    await Promise.all([
      a.query(requestInsertSql(rows, 1, rows), [anchor]),
      (async () => {
        await b.query(imageInsertSql(images), [anchor]);
        await b.query(linkInsertSql(rows, images, 1, rows), [anchor]);
      })(),
    ]);
    step(`insert ${rows} requests, ${images} images and their links`);

    // Primary keys first: ADD CONSTRAINT takes an exclusive lock that would wait for every CREATE INDEX.
    await runOn(
      [a, b],
      [...before.constraints]
        .filter(([, c]) => c.type !== 'f')
        .map(([name, c]) => `ALTER TABLE "${c.table}" ADD CONSTRAINT "${name}" ${c.definition}`),
      log,
    );
    step('rebuild primary keys');
    // The big trigram index first, so the other connection builds everything else meanwhile.
    const biggestFirst = [...before.indexes.entries()].sort(
      ([x], [y]) => Number(y === 'description_request_text_idx') - Number(x === 'description_request_text_idx'),
    );
    await runOn(
      [a, b],
      biggestFirst.map(([, definition]) => definition),
      log,
    );
    step('rebuild indexes');
    await runOn(
      [a, b],
      [...before.constraints]
        .filter(([, c]) => c.type === 'f')
        .map(([name, c]) => `ALTER TABLE "${c.table}" ADD CONSTRAINT "${name}" ${c.definition}`),
      log,
    );
    step('re-add (and validate) foreign keys');
    const after = await snapshotSchema(a);
    if (!sameSchema(before, after)) throw new Error('The rebuilt schema differs from the migrated one');

    await runOn([a, b], ['VACUUM (ANALYZE) "description_request"', 'VACUUM (ANALYZE) "description_image"'], log);
    await a.query('VACUUM (ANALYZE) "image"');
    step('VACUUM (ANALYZE)');
    return { seconds: (performance.now() - started) / 1000, steps };
  } finally {
    await Promise.allSettled([a.end(), b.end()]);
  }
}

-- CreateEnum
CREATE TYPE "ServiceTier" AS ENUM ('DEFAULT', 'PRIORITY', 'FLEX');

-- AlterTable
ALTER TABLE "description_request" ADD COLUMN     "cacheReadUsdPerMillion" DECIMAL(20,12),
ADD COLUMN     "cacheWriteUsdPerMillion" DECIMAL(20,12),
ADD COLUMN     "estimatedInputTokens" INTEGER,
ADD COLUMN     "imagePixels" INTEGER,
ADD COLUMN     "inputUsdPerMillion" DECIMAL(20,12),
ADD COLUMN     "outputUsdPerMillion" DECIMAL(20,12),
ADD COLUMN     "serviceTier" "ServiceTier" NOT NULL DEFAULT 'DEFAULT',
ADD COLUMN     "tags" JSONB NOT NULL DEFAULT '{}';

-- CreateIndex
CREATE INDEX "description_request_tags_idx" ON "description_request" USING GIN ("tags" jsonb_path_ops);

-- Unit prices for the rows written before rows kept them: the built-in catalog's Standard-tier prices
-- of 2026-11-28 (src/bedrock/models.json) for the exact model or inference profile id called. No earlier
-- row used another tier. A SUCCEEDED row takes them only where they reproduce its recorded cost
-- exactly, so a row charged at other prices (a MODEL_CATALOG_FILE override, an older catalog) keeps
-- NULL, "not known", rather than a record that contradicts its cost. A row without a cost (PENDING,
-- FAILED) takes them when it had an estimate, that is when its model was priced.
UPDATE "description_request" d
SET "inputUsdPerMillion" = p.input, "outputUsdPerMillion" = p.output,
  "cacheReadUsdPerMillion" = p.cache_read, "cacheWriteUsdPerMillion" = p.cache_write
FROM (VALUES
  ('anthropic.claude-3-haiku-20240307-v1:0', 0.25, 1.25, NULL, NULL),
  ('us.anthropic.claude-3-haiku-20240307-v1:0', 0.25, 1.25, NULL, NULL),
  ('eu.anthropic.claude-3-haiku-20240307-v1:0', 0.25, 1.25, NULL, NULL),
  ('apac.anthropic.claude-3-haiku-20240307-v1:0', 0.25, 1.25, NULL, NULL),
  ('anthropic.claude-3-sonnet-20240229-v1:0', 3, 15, NULL, NULL),
  ('anthropic.claude-3-opus-20240229-v1:0', 15, 75, NULL, NULL),
  ('anthropic.claude-3-5-sonnet-20240620-v1:0', 3, 15, NULL, NULL),
  ('anthropic.claude-3-5-sonnet-20241022-v2:0', 3, 15, NULL, NULL),
  ('anthropic.claude-3-7-sonnet-20250219-v1:0', 3, 15, 0.3, 3.75),
  ('us.anthropic.claude-3-7-sonnet-20250219-v1:0', 3, 15, 0.3, 3.75),
  ('eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 3, 15, 0.3, 3.75),
  ('apac.anthropic.claude-3-7-sonnet-20250219-v1:0', 3, 15, 0.3, 3.75),
  ('anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 0.3, 3.75),
  ('global.anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 0.3, 3.75),
  ('us.anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 0.3, 3.75),
  ('eu.anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 0.3, 3.75),
  ('apac.anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 0.3, 3.75),
  ('anthropic.claude-opus-4-20250514-v1:0', 15, 75, 1.5, 18.75),
  ('us.anthropic.claude-opus-4-20250514-v1:0', 15, 75, 1.5, 18.75),
  ('anthropic.claude-opus-4-1-20250805-v1:0', 15, 75, 1.5, 18.75),
  ('us.anthropic.claude-opus-4-1-20250805-v1:0', 15, 75, 1.5, 18.75),
  ('anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3, 16.5, 0.33, 4.125),
  ('global.anthropic.claude-sonnet-4-5-20250929-v1:0', 3, 15, 0.3, 3.75),
  ('us.anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3, 16.5, 0.33, 4.125),
  ('eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3, 16.5, 0.33, 4.125),
  ('jp.anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3, 16.5, 0.33, 4.125),
  ('anthropic.claude-haiku-4-5-20251001-v1:0', 1.1, 5.5, 0.11, 1.375),
  ('global.anthropic.claude-haiku-4-5-20251001-v1:0', 1, 5, 0.1, 1.25),
  ('us.anthropic.claude-haiku-4-5-20251001-v1:0', 1.1, 5.5, 0.11, 1.375),
  ('eu.anthropic.claude-haiku-4-5-20251001-v1:0', 1.1, 5.5, 0.11, 1.375),
  ('jp.anthropic.claude-haiku-4-5-20251001-v1:0', 1.1, 5.5, 0.11, 1.375),
  ('apac.anthropic.claude-haiku-4-5-20251001-v1:0', 1.1, 5.5, 0.11, 1.375),
  ('au.anthropic.claude-haiku-4-5-20251001-v1:0', 1.1, 5.5, 0.11, 1.375),
  ('anthropic.claude-opus-4-5-20251101-v1:0', 5.5, 27.5, 0.55, 6.875),
  ('global.anthropic.claude-opus-4-5-20251101-v1:0', 5, 25, 0.5, 6.25),
  ('us.anthropic.claude-opus-4-5-20251101-v1:0', 5.5, 27.5, 0.55, 6.875),
  ('eu.anthropic.claude-opus-4-5-20251101-v1:0', 5.5, 27.5, 0.55, 6.875),
  ('anthropic.claude-opus-4-6-v1', 5.5, 27.5, 0.55, 6.875),
  ('global.anthropic.claude-opus-4-6-v1', 5, 25, 0.5, 6.25),
  ('us.anthropic.claude-opus-4-6-v1', 5.5, 27.5, 0.55, 6.875),
  ('eu.anthropic.claude-opus-4-6-v1', 5.5, 27.5, 0.55, 6.875),
  ('jp.anthropic.claude-opus-4-6-v1', 5.5, 27.5, 0.55, 6.875),
  ('apac.anthropic.claude-opus-4-6-v1', 5.5, 27.5, 0.55, 6.875),
  ('anthropic.claude-sonnet-4-6', 3.3, 16.5, 0.33, 4.125),
  ('global.anthropic.claude-sonnet-4-6', 3, 15, 0.3, 3.75),
  ('us.anthropic.claude-sonnet-4-6', 3.3, 16.5, 0.33, 4.125),
  ('eu.anthropic.claude-sonnet-4-6', 3.3, 16.5, 0.33, 4.125),
  ('jp.anthropic.claude-sonnet-4-6', 3.3, 16.5, 0.33, 4.125),
  ('anthropic.claude-opus-4-7', 5.5, 27.5, 0.55, 6.875),
  ('global.anthropic.claude-opus-4-7', 5, 25, 0.5, 6.25),
  ('us.anthropic.claude-opus-4-7', 5.5, 27.5, 0.55, 6.875),
  ('eu.anthropic.claude-opus-4-7', 5.5, 27.5, 0.55, 6.875),
  ('anthropic.claude-opus-4-8', 5.5, 27.5, 0.55, 6.875),
  ('global.anthropic.claude-opus-4-8', 5, 25, 0.5, 6.25),
  ('us.anthropic.claude-opus-4-8', 5.5, 27.5, 0.55, 6.875),
  ('eu.anthropic.claude-opus-4-8', 5.5, 27.5, 0.55, 6.875),
  ('anthropic.claude-sonnet-5', 3.3, 16.5, 0.33, 4.125),
  ('global.anthropic.claude-sonnet-5', 3, 15, 0.3, 3.75),
  ('us.anthropic.claude-sonnet-5', 3.3, 16.5, 0.33, 4.125),
  ('eu.anthropic.claude-sonnet-5', 3.3, 16.5, 0.33, 4.125),
  ('amazon.nova-lite-v1:0', 0.06, 0.24, 0.015, 0.06),
  ('us.amazon.nova-lite-v1:0', 0.06, 0.24, 0.015, 0.06),
  ('eu.amazon.nova-lite-v1:0', 0.06, 0.24, 0.015, 0.06),
  ('apac.amazon.nova-lite-v1:0', 0.06, 0.24, 0.015, 0.06),
  ('amazon.nova-pro-v1:0', 0.8, 3.2, 0.2, 0.8),
  ('us.amazon.nova-pro-v1:0', 0.8, 3.2, 0.2, 0.8),
  ('eu.amazon.nova-pro-v1:0', 0.8, 3.2, 0.2, 0.8),
  ('apac.amazon.nova-pro-v1:0', 0.8, 3.2, 0.2, 0.8),
  ('amazon.nova-2-lite-v1:0', 0.33, 2.75, 0.0825, NULL),
  ('global.amazon.nova-2-lite-v1:0', 0.3, 2.5, 0.075, NULL),
  ('us.amazon.nova-2-lite-v1:0', 0.33, 2.75, 0.0825, NULL),
  ('eu.amazon.nova-2-lite-v1:0', 0.33, 2.75, 0.0825, NULL),
  ('apac.amazon.nova-2-lite-v1:0', 0.33, 2.75, 0.0825, NULL),
  ('amazon.nova-premier-v1:0', 2.5, 12.5, 0.625, 2.5),
  ('us.amazon.nova-premier-v1:0', 2.5, 12.5, 0.625, 2.5),
  ('meta.llama3-2-11b-instruct-v1:0', 0.16, 0.16, NULL, NULL),
  ('us.meta.llama3-2-11b-instruct-v1:0', 0.16, 0.16, NULL, NULL),
  ('meta.llama3-2-90b-instruct-v1:0', 0.72, 0.72, NULL, NULL),
  ('us.meta.llama3-2-90b-instruct-v1:0', 0.72, 0.72, NULL, NULL),
  ('meta.llama4-maverick-17b-instruct-v1:0', 0.24, 0.97, NULL, NULL),
  ('us.meta.llama4-maverick-17b-instruct-v1:0', 0.24, 0.97, NULL, NULL),
  ('meta.llama4-scout-17b-instruct-v1:0', 0.17, 0.66, NULL, NULL),
  ('us.meta.llama4-scout-17b-instruct-v1:0', 0.17, 0.66, NULL, NULL),
  ('mistral.pixtral-large-2502-v1:0', 2, 6, NULL, NULL),
  ('us.mistral.pixtral-large-2502-v1:0', 2, 6, NULL, NULL),
  ('eu.mistral.pixtral-large-2502-v1:0', 2, 6, NULL, NULL)
) AS p(model_id, input, output, cache_read, cache_write)
WHERE d."modelId" = p.model_id
  AND ((d."costUsd" IS NULL AND d."estimatedCostUsd" IS NOT NULL)
    OR d."costUsd" = (coalesce(d."inputTokens", 0) * p.input::numeric + coalesce(d."outputTokens", 0) * p.output::numeric
      + coalesce(d."cacheReadInputTokens", 0) * coalesce(p.cache_read::numeric, p.input::numeric)
      + coalesce(d."cacheWriteInputTokens", 0) * coalesce(p.cache_write::numeric, p.input::numeric)) / 1000000);

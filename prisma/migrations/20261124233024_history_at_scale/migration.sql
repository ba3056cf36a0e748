-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- DropIndex
DROP INDEX "description_request_modelId_createdAt_id_idx";

-- AlterTable (hand-edited: existing rows get their base model id before the column becomes required)
ALTER TABLE "description_request" ADD COLUMN     "baseModelId" TEXT;
UPDATE "description_request"
SET "baseModelId" = regexp_replace("modelId", '^(us|eu|apac|global|us-gov|jp|au|ca)\.', '');
ALTER TABLE "description_request" ALTER COLUMN "baseModelId" SET NOT NULL;

-- CreateTable
CREATE TABLE "app_setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "description_request_costUsd_id_idx" ON "description_request"("costUsd", "id");

-- CreateIndex
CREATE INDEX "description_request_totalTokens_id_idx" ON "description_request"("totalTokens", "id");

-- CreateIndex
CREATE INDEX "description_request_latencyMs_id_idx" ON "description_request"("latencyMs", "id");

-- CreateIndex
CREATE INDEX "description_request_baseModelId_createdAt_id_idx" ON "description_request"("baseModelId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "description_request_errorCode_createdAt_id_idx" ON "description_request"("errorCode", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "description_request_prompt_idx" ON "description_request" USING GIN ("prompt" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "description_request_systemPrompt_idx" ON "description_request" USING GIN ("systemPrompt" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "description_request_text_idx" ON "description_request" USING GIN ("text" gin_trgm_ops);

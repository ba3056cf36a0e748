-- AlterTable
ALTER TABLE "description_request" ADD COLUMN     "attempts" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "cachedFromId" UUID,
ADD COLUMN     "savedUsd" DECIMAL(20,12),
ADD COLUMN     "usageKnown" BOOLEAN NOT NULL DEFAULT true;

-- CreateIndex
CREATE INDEX "description_request_apiKeyId_requestHash_completedAt_idx" ON "description_request"("apiKeyId", "requestHash", "completedAt" DESC);

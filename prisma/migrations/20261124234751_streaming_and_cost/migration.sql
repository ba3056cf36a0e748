-- AlterTable
ALTER TABLE "description_request" ADD COLUMN     "cacheReadInputTokens" INTEGER,
ADD COLUMN     "cacheWriteInputTokens" INTEGER,
ADD COLUMN     "estimatedCostUsd" DECIMAL(20,12),
ADD COLUMN     "stopSequences" TEXT[];

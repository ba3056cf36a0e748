-- CreateEnum
CREATE TYPE "DescriptionStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "BedrockApi" AS ENUM ('CONVERSE', 'INVOKE_MODEL');

-- CreateTable
CREATE TABLE "description_request" (
    "id" UUID NOT NULL,
    "status" "DescriptionStatus" NOT NULL DEFAULT 'PENDING',
    "modelId" TEXT NOT NULL,
    "api" "BedrockApi" NOT NULL,
    "prompt" TEXT NOT NULL,
    "systemPrompt" TEXT,
    "maxTokens" INTEGER NOT NULL,
    "temperature" DOUBLE PRECISION,
    "topP" DOUBLE PRECISION,
    "text" TEXT,
    "stopReason" TEXT,
    "inputTokens" INTEGER,
    "outputTokens" INTEGER,
    "totalTokens" INTEGER,
    "costUsd" DECIMAL(20,12),
    "latencyMs" INTEGER,
    "modelLatencyMs" INTEGER,
    "bedrockRequestId" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "clientRequestId" TEXT,
    "requestHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "description_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "image" (
    "sha256" VARCHAR(64) NOT NULL,
    "mediaType" TEXT NOT NULL,
    "byteSize" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "image_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "description_image" (
    "descriptionId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "imageSha256" VARCHAR(64) NOT NULL,

    CONSTRAINT "description_image_pkey" PRIMARY KEY ("descriptionId","position")
);

-- CreateIndex
CREATE UNIQUE INDEX "description_request_clientRequestId_key" ON "description_request"("clientRequestId");

-- CreateIndex
CREATE INDEX "description_request_createdAt_id_idx" ON "description_request"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "description_request_status_createdAt_id_idx" ON "description_request"("status", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "description_request_modelId_createdAt_id_idx" ON "description_request"("modelId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "description_image_imageSha256_idx" ON "description_image"("imageSha256");

-- AddForeignKey
ALTER TABLE "description_image" ADD CONSTRAINT "description_image_descriptionId_fkey" FOREIGN KEY ("descriptionId") REFERENCES "description_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "description_image" ADD CONSTRAINT "description_image_imageSha256_fkey" FOREIGN KEY ("imageSha256") REFERENCES "image"("sha256") ON DELETE RESTRICT ON UPDATE CASCADE;

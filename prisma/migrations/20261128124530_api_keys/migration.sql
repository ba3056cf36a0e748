/*
  Warnings:

  - A unique constraint covering the columns `[apiKeyId,clientRequestId]` on the table `description_request` will be added. If there are existing duplicate values, this will fail.

*/
-- DropIndex
DROP INDEX "description_request_clientRequestId_key";

-- AlterTable
ALTER TABLE "description_request" ADD COLUMN     "apiKeyId" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
ADD COLUMN     "reservedUsd" DECIMAL(20,12);

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" VARCHAR(64) NOT NULL,
    "admin" BOOLEAN NOT NULL DEFAULT false,
    "rpm" INTEGER,
    "dailyUsd" DECIMAL(20,12),
    "monthlyUsd" DECIMAL(20,12),
    "dayStart" DATE,
    "daySpentUsd" DECIMAL(20,12) NOT NULL DEFAULT 0,
    "monthStart" DATE,
    "monthSpentUsd" DECIMAL(20,12) NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");

-- CreateIndex
CREATE INDEX "description_request_apiKeyId_createdAt_id_idx" ON "description_request"("apiKeyId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "description_request_apiKeyId_clientRequestId_key" ON "description_request"("apiKeyId", "clientRequestId");

-- The refusal of the write-ahead statement: raised inside that one statement when the key cannot take the
-- request's budget reservation ('daily', 'monthly') or was revoked meanwhile ('revoked'), so the request row, its
-- images and its links roll back with it. Its own SQLSTATE lets the server tell it from every other error.
CREATE FUNCTION "bvg_refuse"(reason text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', reason USING ERRCODE = 'BVG01';
END
$$;

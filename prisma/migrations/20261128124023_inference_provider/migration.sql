-- CreateEnum
CREATE TYPE "InferenceProvider" AS ENUM ('BEDROCK', 'EMULATOR');

-- AlterTable
ALTER TABLE "description_request" ADD COLUMN     "provider" "InferenceProvider";

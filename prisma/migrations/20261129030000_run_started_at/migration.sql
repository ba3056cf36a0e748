-- AlterTable
ALTER TABLE "description_request" ADD COLUMN     "runStartedAt" TIMESTAMPTZ(3);

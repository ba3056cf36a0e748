-- AlterTable
ALTER TABLE "description_request" ADD COLUMN     "reservedAt" TIMESTAMPTZ(3);

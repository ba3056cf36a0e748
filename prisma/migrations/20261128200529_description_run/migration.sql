-- AlterTable
ALTER TABLE "description_request" ADD COLUMN     "run" INTEGER NOT NULL DEFAULT 1;

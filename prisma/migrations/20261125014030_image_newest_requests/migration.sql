-- Hand-edited from Prisma's diff, which adds the column NOT NULL and so fails on a ledger
-- that has rows: the column is added, filled from the requests, and only then made NOT NULL.
-- The index is built after the backfill, once, rather than updated row by row. The UPDATE
-- leaves every old link version dead until autovacuum (or a manual VACUUM) passes: until then
-- the image filter reads the table instead of the index alone.

-- AlterTable
ALTER TABLE "description_image" ADD COLUMN     "requestCreatedAt" TIMESTAMPTZ(3);

UPDATE "description_image" di SET "requestCreatedAt" = d."createdAt"
FROM "description_request" d WHERE d."id" = di."descriptionId";

-- A server of the previous release, still running during a rolling upgrade, inserts links
-- without the column: the trigger copies it from the request (this release always sets it).
CREATE FUNCTION "description_image_fill_request_created_at"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."requestCreatedAt" IS NULL THEN
    SELECT d."createdAt" INTO NEW."requestCreatedAt" FROM "description_request" d WHERE d."id" = NEW."descriptionId";
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "description_image_fill_request_created_at" BEFORE INSERT ON "description_image"
FOR EACH ROW EXECUTE FUNCTION "description_image_fill_request_created_at"();

ALTER TABLE "description_image" ALTER COLUMN "requestCreatedAt" SET NOT NULL;

-- CreateIndex
CREATE INDEX "description_image_imageSha256_requestCreatedAt_descriptionI_idx" ON "description_image"("imageSha256", "requestCreatedAt" DESC, "descriptionId" DESC);

-- DropIndex
DROP INDEX "description_image_imageSha256_idx";

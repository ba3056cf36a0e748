-- CreateEnum
CREATE TYPE "ImageSourceKind" AS ENUM ('BASE64', 'URL', 'UPLOAD');

-- AlterTable
ALTER TABLE "description_image" ADD COLUMN     "originalByteSize" INTEGER,
ADD COLUMN     "originalHeight" INTEGER,
ADD COLUMN     "originalMediaType" TEXT,
ADD COLUMN     "originalWidth" INTEGER,
ADD COLUMN     "source" "ImageSourceKind";

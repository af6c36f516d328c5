-- AlterTable
ALTER TABLE "App" ADD COLUMN     "buildpacks" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Release" ADD COLUMN     "outputSource" TEXT;


-- Releases made by a build before this column existed: the first release of each build.
UPDATE "Release" AS r SET "outputSource" = 'build'
WHERE r."buildId" IS NOT NULL
  AND r."version" = (SELECT MIN(r2."version") FROM "Release" AS r2 WHERE r2."buildId" = r."buildId");

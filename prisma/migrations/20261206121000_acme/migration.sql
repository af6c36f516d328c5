-- AlterTable
ALTER TABLE "App" ADD COLUMN     "acm" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Domain" ADD COLUMN     "acmFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "acmRetryAt" TIMESTAMP(3),
ADD COLUMN     "acmStatus" TEXT,
ADD COLUMN     "acmStatusReason" TEXT;

-- AlterTable
ALTER TABLE "SniEndpoint" ADD COLUMN     "acmHostname" TEXT;


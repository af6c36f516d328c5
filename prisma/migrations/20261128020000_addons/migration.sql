-- AlterTable
ALTER TABLE "Addon" ADD COLUMN     "createdById" TEXT,
ADD COLUMN     "error" TEXT,
ADD COLUMN     "pendingConfigEnc" TEXT,
ADD COLUMN     "progress" TEXT,
ADD COLUMN     "provisionedAt" TIMESTAMP(3),
ADD COLUMN     "readOnly" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "AddonBackup" (
    "id" TEXT NOT NULL,
    "addonId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "sizeBytes" BIGINT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "AddonBackup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AddonBackup_addonId_number_key" ON "AddonBackup"("addonId", "number");

-- CreateIndex
CREATE INDEX "Addon_appId_idx" ON "Addon"("appId");

-- CreateIndex
CREATE INDEX "Addon_state_idx" ON "Addon"("state");

-- CreateIndex
CREATE INDEX "AddonAttachment_addonId_idx" ON "AddonAttachment"("addonId");

-- AddForeignKey
ALTER TABLE "AddonBackup" ADD CONSTRAINT "AddonBackup_addonId_fkey" FOREIGN KEY ("addonId") REFERENCES "Addon"("id") ON DELETE CASCADE ON UPDATE CASCADE;


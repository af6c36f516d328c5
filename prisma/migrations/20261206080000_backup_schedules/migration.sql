-- AlterTable
ALTER TABLE "AddonBackup" ADD COLUMN     "scheduled" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "AddonBackupSchedule" (
    "id" TEXT NOT NULL,
    "addonId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hour" INTEGER NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "retain" INTEGER NOT NULL DEFAULT 7,
    "nextRunAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AddonBackupSchedule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AddonBackupSchedule_addonId_key" ON "AddonBackupSchedule"("addonId");

-- CreateIndex
CREATE INDEX "AddonBackupSchedule_nextRunAt_idx" ON "AddonBackupSchedule"("nextRunAt");

-- AddForeignKey
ALTER TABLE "AddonBackupSchedule" ADD CONSTRAINT "AddonBackupSchedule_addonId_fkey" FOREIGN KEY ("addonId") REFERENCES "Addon"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- DropIndex
DROP INDEX "App_ownerId_idx";

-- DropIndex
DROP INDEX "App_teamId_idx";

-- DropIndex
DROP INDEX "ActivityEvent_appId_createdAt_idx";

-- DropIndex
DROP INDEX "ActivityEvent_teamId_createdAt_idx";

-- CreateIndex
CREATE INDEX "App_ownerId_name_idx" ON "App"("ownerId", "name");

-- CreateIndex
CREATE INDEX "App_teamId_name_idx" ON "App"("teamId", "name");

-- CreateIndex
CREATE INDEX "ActivityEvent_appId_createdAt_id_idx" ON "ActivityEvent"("appId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "ActivityEvent_teamId_createdAt_id_idx" ON "ActivityEvent"("teamId", "createdAt", "id");


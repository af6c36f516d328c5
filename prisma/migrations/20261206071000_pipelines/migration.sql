-- AlterTable
ALTER TABLE "Release" ADD COLUMN     "commit" TEXT;

-- CreateTable
CREATE TABLE "Pipeline" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "ownerId" TEXT,
    "teamId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Pipeline_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PipelineCoupling" (
    "id" TEXT NOT NULL,
    "pipelineId" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PipelineCoupling_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PipelinePromotion" (
    "id" TEXT NOT NULL,
    "pipelineId" TEXT NOT NULL,
    "sourceAppId" TEXT,
    "sourceAppName" TEXT NOT NULL,
    "sourceVersion" INTEGER NOT NULL,
    "userId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PipelinePromotion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PromotionTarget" (
    "id" TEXT NOT NULL,
    "promotionId" TEXT NOT NULL,
    "appId" TEXT,
    "appName" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "releaseId" TEXT,
    "releaseVersion" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PromotionTarget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewAppConfig" (
    "pipelineId" TEXT NOT NULL,
    "parentAppId" TEXT NOT NULL,
    "automaticReviewApps" BOOLEAN NOT NULL DEFAULT true,
    "destroyStaleApps" BOOLEAN NOT NULL DEFAULT false,
    "staleDays" INTEGER NOT NULL DEFAULT 5,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReviewAppConfig_pkey" PRIMARY KEY ("pipelineId")
);

-- CreateTable
CREATE TABLE "ReviewApp" (
    "id" TEXT NOT NULL,
    "pipelineId" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'creating',
    "error" TEXT,
    "commit" TEXT,
    "appJson" TEXT,
    "lastPushAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReviewApp_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Pipeline_name_key" ON "Pipeline"("name");

-- CreateIndex
CREATE INDEX "Pipeline_ownerId_idx" ON "Pipeline"("ownerId");

-- CreateIndex
CREATE INDEX "Pipeline_teamId_idx" ON "Pipeline"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "PipelineCoupling_appId_key" ON "PipelineCoupling"("appId");

-- CreateIndex
CREATE INDEX "PipelineCoupling_pipelineId_idx" ON "PipelineCoupling"("pipelineId");

-- CreateIndex
CREATE INDEX "PipelinePromotion_pipelineId_createdAt_idx" ON "PipelinePromotion"("pipelineId", "createdAt");

-- CreateIndex
CREATE INDEX "PromotionTarget_promotionId_idx" ON "PromotionTarget"("promotionId");

-- CreateIndex
CREATE INDEX "ReviewAppConfig_parentAppId_idx" ON "ReviewAppConfig"("parentAppId");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewApp_appId_key" ON "ReviewApp"("appId");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewApp_pipelineId_branch_key" ON "ReviewApp"("pipelineId", "branch");

-- AddForeignKey
ALTER TABLE "Pipeline" ADD CONSTRAINT "Pipeline_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pipeline" ADD CONSTRAINT "Pipeline_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PipelineCoupling" ADD CONSTRAINT "PipelineCoupling_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "Pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PipelineCoupling" ADD CONSTRAINT "PipelineCoupling_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PipelinePromotion" ADD CONSTRAINT "PipelinePromotion_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "Pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PromotionTarget" ADD CONSTRAINT "PromotionTarget_promotionId_fkey" FOREIGN KEY ("promotionId") REFERENCES "PipelinePromotion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewAppConfig" ADD CONSTRAINT "ReviewAppConfig_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "Pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewAppConfig" ADD CONSTRAINT "ReviewAppConfig_parentAppId_fkey" FOREIGN KEY ("parentAppId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewApp" ADD CONSTRAINT "ReviewApp_pipelineId_fkey" FOREIGN KEY ("pipelineId") REFERENCES "Pipeline"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewApp" ADD CONSTRAINT "ReviewApp_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A pipeline belongs to exactly one of a user (ownerId) or a team (teamId), as an app does
-- (prisma migrate diff ignores CHECK constraints, so the schema and the migrations stay in step).
ALTER TABLE "Pipeline" ADD CONSTRAINT "Pipeline_owner_xor_team" CHECK (("ownerId" IS NULL) <> ("teamId" IS NULL));

-- CreateTable
CREATE TABLE "AppSetup" (
    "id" TEXT NOT NULL,
    "userId" TEXT,
    "appId" TEXT,
    "appName" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "failureMessage" TEXT,
    "manifestErrors" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "sourceKind" TEXT NOT NULL,
    "sourceUrl" TEXT,
    "sourceChecksum" TEXT,
    "manifest" JSONB,
    "steps" JSONB NOT NULL DEFAULT '[]',
    "buildId" TEXT,
    "buildStatus" TEXT,
    "buildOutput" TEXT,
    "postdeployOutput" TEXT,
    "postdeployExitCode" INTEGER,
    "resolvedSuccessUrl" TEXT,
    "appRemoved" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppSetup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AppSetup_userId_createdAt_idx" ON "AppSetup"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "AppSetup_appId_idx" ON "AppSetup"("appId");

-- CreateIndex
CREATE INDEX "AppSetup_status_idx" ON "AppSetup"("status");

-- AddForeignKey
ALTER TABLE "AppSetup" ADD CONSTRAINT "AppSetup_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppSetup" ADD CONSTRAINT "AppSetup_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE SET NULL ON UPDATE CASCADE;


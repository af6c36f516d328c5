-- CreateTable
CREATE TABLE "DynoMetric" (
    "appId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "resolution" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 0,
    "memSum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "memMax" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "memQuota" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cpuSamples" INTEGER NOT NULL DEFAULT 0,
    "cpuSum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cpuMax" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cpuQuota" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "dynos" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "DynoMetric_pkey" PRIMARY KEY ("appId","resolution","at","type")
);

-- CreateTable
CREATE TABLE "RouterMetric" (
    "appId" TEXT NOT NULL,
    "resolution" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "statuses" JSONB NOT NULL,
    "errors" JSONB NOT NULL,
    "latency" INTEGER[],
    "p50" DOUBLE PRECISION,
    "p95" DOUBLE PRECISION,
    "p99" DOUBLE PRECISION,

    CONSTRAINT "RouterMetric_pkey" PRIMARY KEY ("appId","resolution","at")
);

-- CreateTable
CREATE TABLE "RestartEvent" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "RestartEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DynoMetric_resolution_at_idx" ON "DynoMetric"("resolution", "at");

-- CreateIndex
CREATE INDEX "RouterMetric_resolution_at_idx" ON "RouterMetric"("resolution", "at");

-- CreateIndex
CREATE INDEX "RestartEvent_appId_at_idx" ON "RestartEvent"("appId", "at");

-- CreateIndex
CREATE INDEX "RestartEvent_at_idx" ON "RestartEvent"("at");

-- AddForeignKey
ALTER TABLE "DynoMetric" ADD CONSTRAINT "DynoMetric_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RouterMetric" ADD CONSTRAINT "RouterMetric_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RestartEvent" ADD CONSTRAINT "RestartEvent_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;


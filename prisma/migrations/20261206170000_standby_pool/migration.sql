-- Standby pool size per app (server/runtime/standby-pool.ts); 0 = no pool.
ALTER TABLE "App" ADD COLUMN "standbyDynos" INTEGER NOT NULL DEFAULT 0;

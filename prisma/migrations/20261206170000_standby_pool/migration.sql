-- Standby pool size per app (server/runtime/standby-pool.ts), 0 = no pool. No semicolon in a
-- comment: prisma migrate deploy splits the script at every one.
ALTER TABLE "App" ADD COLUMN "standbyDynos" INTEGER NOT NULL DEFAULT 0;

-- AlterTable: drain URLs can carry credentials, so the real one is stored encrypted
ALTER TABLE "LogDrain" ADD COLUMN     "urlEnc" TEXT NOT NULL DEFAULT '';

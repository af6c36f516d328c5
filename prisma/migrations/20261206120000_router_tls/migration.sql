-- AlterTable
ALTER TABLE "App" ADD COLUMN     "hsts" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sslRedirect" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "SniEndpoint" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "certificateChain" TEXT NOT NULL,
    "privateKeyEnc" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "names" TEXT[],
    "startsAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "selfSigned" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SniEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SniEndpoint_name_key" ON "SniEndpoint"("name");

-- CreateIndex
CREATE INDEX "SniEndpoint_appId_idx" ON "SniEndpoint"("appId");

-- AddForeignKey
ALTER TABLE "SniEndpoint" ADD CONSTRAINT "SniEndpoint_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;


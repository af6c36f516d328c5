-- An app belongs to exactly one of a user (ownerId) or a team (teamId), never both or
-- neither. Prisma's schema cannot say so, so the database does (prisma migrate diff ignores
-- CHECK constraints, so the schema and the migrations stay in step)
ALTER TABLE "App" ADD CONSTRAINT "App_owner_xor_team" CHECK (("ownerId" IS NULL) <> ("teamId" IS NULL));

-- The swarm node whose Engine runs an add-on (null: the platform's own Engine).
ALTER TABLE "Addon" ADD COLUMN     "node" TEXT;

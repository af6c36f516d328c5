import "server-only";
import { z } from "zod";
import { listNodes, setNodeAvailability } from "@/server/services/nodes";
import { installationProcedure, router } from "@/server/trpc/procedures";

// The installation page: the machines every app runs on. Admins only.
export const installationRouter = router({
  nodes: installationProcedure("nodes:list").query(() => listNodes()),
  setNodeAvailability: installationProcedure("nodes:update")
    .input(z.object({ node: z.string().min(1).max(128), availability: z.enum(["active", "pause", "drain"]) }))
    .mutation(({ input }) => setNodeAvailability(input)),
});

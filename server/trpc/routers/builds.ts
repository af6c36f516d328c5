import "server-only";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { followBuild } from "@/server/build/output";
import { whileAllowed } from "@/server/security/access-watch";
import { getBuild, listBuilds } from "@/server/services/builds";
import { appProcedure, router } from "@/server/trpc/procedures";

export const buildsRouter = router({
  list: appProcedure("builds:list")
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listBuilds({ appId: ctx.app.id, limit: input.limit })),
  get: appProcedure("builds:list")
    .input(z.object({ id: z.string().uuid() }))
    .query(({ ctx, input }) => getBuild({ appId: ctx.app.id, buildId: input.id })),
  /**
   * The build's output from the start (or from `lastEventId`, an offset), live while it
   * runs, then one "end" event. Event ids are offsets, so a reconnect resumes exactly.
   * Ends, without an "end" event, when the caller's access to the app does.
   */
  output: appProcedure("builds:output")
    .input(z.object({ id: z.string().uuid(), lastEventId: z.string().regex(/^\d+$/).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      await getBuild({ appId: ctx.app.id, buildId: input.id }); // NOT_FOUND for other apps' builds
      let offset = Number(input.lastEventId ?? 0);
      const holder = { userId: ctx.userId, appId: ctx.app.id, operation: "builds:output", keyId: ctx.identity?.keyId, signal } as const;
      for await (const ev of whileAllowed(holder, (s) => followBuild(input.id, offset, s))) {
        if (ev.type === "output") {
          offset = ev.offset;
          yield tracked(String(offset), { type: "output" as const, text: ev.text });
        } else {
          yield tracked(String(offset), { type: "end" as const, status: ev.status, error: ev.error, release: ev.release });
          return;
        }
      }
    }),
});

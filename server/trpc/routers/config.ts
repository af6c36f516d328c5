import "server-only";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { getConfigVars, setConfigVars } from "@/server/services/config-vars";
import { appProcedure, router } from "@/server/trpc/procedures";

// Values leave the server only when revealed one at a time (the dashboard hides them).
export const configRouter = router({
  keys: appProcedure("config:names").query(async ({ ctx }) => Object.keys(await getConfigVars(ctx.app.id))),
  reveal: appProcedure("config:read")
    .input(z.object({ key: z.string() }))
    .query(async ({ ctx, input }) => {
      const config = await getConfigVars(ctx.app.id);
      if (!(input.key in config)) throw new AppError("NOT_FOUND", `No config var ${input.key}.`, { resource: "config_var" });
      return { key: input.key, value: config[input.key]! };
    }),
  set: appProcedure("config:write")
    .input(z.object({ key: z.string(), value: z.string(), previousKey: z.string().nullish() }))
    .mutation(async ({ ctx, input }) => {
      const changes: Record<string, string | null> = { [input.key.trim()]: input.value };
      if (input.previousKey && input.previousKey !== input.key.trim()) changes[input.previousKey] = null;
      const { release } = await setConfigVars({ appId: ctx.app.id, userId: ctx.userId, changes });
      return { release };
    }),
  unset: appProcedure("config:write")
    .input(z.object({ key: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { release } = await setConfigVars({ appId: ctx.app.id, userId: ctx.userId, changes: { [input.key]: null } });
      return { release };
    }),
});

import "server-only";
import { z } from "zod";
import { getMetrics, metricRangeSchema, metricsSchema } from "@/server/metrics/queries";
import { appProcedure, router } from "@/server/trpc/procedures";

export const metricsRouter = router({
  /** Memory, CPU, router traffic and markers of one app over a range, in bounded series. */
  get: appProcedure("metrics:read")
    .input(z.object({ range: metricRangeSchema }))
    .output(metricsSchema)
    .query(({ ctx, input }) => getMetrics({ appId: ctx.app.id, range: input.range })),
});

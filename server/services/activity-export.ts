import "server-only";
import { AppError } from "@/server/errors";
import { activityFiltersSchema, exportActivity, type ActivityScope } from "@/server/services/activity-query";

// The audit trail as a download (`application/x-ndjson`, one event a line), for the two
// export route handlers (an app's, a team's). Filters come from the query string, the same
// ones the list takes: ?kind=config&via=cli&actor=a@b.c&q=DATABASE.

export function activityFiltersFrom(params: URLSearchParams) {
  const raw = Object.fromEntries(["kind", "via", "actor", "q"].flatMap((k) => (params.get(k) ? [[k, params.get(k)]] : [])));
  const parsed = activityFiltersSchema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
    throw new AppError("BAD_REQUEST", `Invalid filter: ${Object.entries(fieldErrors).map(([k, m]) => `${k}: ${m}`).join("; ")}`, { fieldErrors });
  }
  return parsed.data;
}

export function activityDownload(input: { scope: ActivityScope; params: URLSearchParams; name: string }): Response {
  const filters = activityFiltersFrom(input.params);
  const lines = exportActivity({ scope: input.scope, filters });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="${input.name}-activity-${day}.jsonl"`,
      "Cache-Control": "no-store",
    },
  });
}

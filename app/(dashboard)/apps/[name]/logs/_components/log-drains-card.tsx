"use client";

import { useQuery } from "@tanstack/react-query";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";
import { AddDrainForm } from "./add-drain-form";
import { DrainRow } from "./drain-row";

// Delivery counters move every second; a few seconds keeps them current without chatter.
const STATUS_POLL_MS = 3000;

/** Heroku's log drains: where a copy of every line goes (syslog over TCP/TLS, HTTPS batches). */
export function LogDrainsCard({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const drains = useQuery({
    ...trpc.logs.drains.queryOptions({ app: appName }),
    refetchInterval: (query) => (query.state.data?.length ? STATUS_POLL_MS : false),
  });
  const app = useQuery(trpc.apps.get.queryOptions({ app: appName }));
  const manageReason = deniedReason(app.data?.permissions, "drains:write");
  const canManage = !!app.data && !manageReason;

  return (
    <Card aria-labelledby="drains-title">
      <CardHeader
        titleId="drains-title"
        title="Log drains"
        description="Send a copy of every log line to a syslog server or an HTTPS endpoint, such as a log search service."
      />
      {drains.isPending ? (
        <LoadingRows label="Loading log drains" rows={2} />
      ) : drains.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load log drains: ${messageOf(drains.error)}`} />
        </CardContent>
      ) : drains.data.length === 0 ? (
        <CardContent className="space-y-1 text-sm text-muted">
          <p className="font-medium text-fg">No log drains</p>
          <p>
            Lines stay on Slipway only as long as the last 1,500 of them. Add a drain to keep them elsewhere: every line is sent as it
            happens, with the drain&apos;s token to tell this app&apos;s lines apart.
          </p>
        </CardContent>
      ) : (
        <ul aria-label="Log drains" className="divide-y divide-border">
          {drains.data.map((drain) => (
            <DrainRow key={drain.id} appName={appName} drain={drain} canRemove={canManage} />
          ))}
        </ul>
      )}
      {app.data && (
        <div className="border-t border-border">
          {canManage ? (
            <AddDrainForm appName={appName} />
          ) : (
            <p className="px-4 py-3 text-sm text-muted sm:px-5">{manageReason}</p>
          )}
        </div>
      )}
    </Card>
  );
}

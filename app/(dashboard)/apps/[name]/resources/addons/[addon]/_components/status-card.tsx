"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { formatBytes } from "@/components/addons/format";
import type { Addon } from "@/components/addons/types";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";

const POLL_MS = 5000;

/** The container's state and health, and live figures read from the server itself. */
export function StatusCard({ appName, addon }: { appName: string; addon: Addon }) {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.addons.status.queryOptions({ app: appName, addon: addon.name }), refetchInterval: POLL_MS });

  return (
    <Card aria-labelledby="addon-status-title">
      <CardHeader titleId="addon-status-title" title="Status" description={`Read from ${addon.serviceLabel} every ${POLL_MS / 1000} seconds.`} />
      {status.isPending ? (
        <LoadingRows label="Loading status" rows={2} />
      ) : status.isError ? (
        <CardContent>
          <FieldError message={`Couldn't read the status: ${messageOf(status.error)}`} />
        </CardContent>
      ) : (
        <CardContent>
          <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <Figure label="Container">
              <span className="flex flex-wrap items-center gap-1.5">
                <Badge tone={status.data.container?.container === "running" ? "success" : "danger"}>{status.data.container?.container ?? "unknown"}</Badge>
                {status.data.container && status.data.container.health !== "none" && (
                  <Badge tone={status.data.container.health === "healthy" ? "success" : status.data.container.health === "starting" ? "warning" : "danger"}>
                    {status.data.container.health}
                  </Badge>
                )}
              </span>
            </Figure>
            {status.data.stats ? (
              <>
                <Figure label="Connections">
                  <Meter value={status.data.stats.connections} max={status.data.stats.connectionLimit} text={`${status.data.stats.connections} of ${status.data.stats.connectionLimit}`} />
                </Figure>
                {status.data.stats.storageBytes !== undefined && (
                  <Figure label="Size">
                    <Meter
                      value={status.data.stats.storageBytes}
                      max={status.data.stats.storageLimitBytes ?? 0}
                      text={`${formatBytes(status.data.stats.storageBytes)} of ${formatBytes(status.data.stats.storageLimitBytes ?? 0)}`}
                    />
                  </Figure>
                )}
                {status.data.stats.memoryBytes !== undefined && (
                  <Figure label="Memory used">
                    <Meter
                      value={status.data.stats.memoryBytes}
                      max={status.data.stats.memoryLimitBytes ?? 0}
                      text={`${formatBytes(status.data.stats.memoryBytes)} of ${formatBytes(status.data.stats.memoryLimitBytes ?? 0)}`}
                    />
                  </Figure>
                )}
                {status.data.stats.keys !== undefined && <Figure label="Keys">{status.data.stats.keys}</Figure>}
                {status.data.stats.version && <Figure label="Version">{status.data.stats.version}</Figure>}
              </>
            ) : (
              <Figure label="Figures">Not available while the container is not running.</Figure>
            )}
          </dl>
          {status.data.stats?.readOnly && (
            <FieldError
              className="mt-4"
              message="Over the plan's storage limit: new connections are read-only. Delete data (then VACUUM FULL) or move to a larger plan."
            />
          )}
        </CardContent>
      )}
    </Card>
  );
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0 space-y-1">
      <dt className="text-xs font-medium tracking-wide text-muted uppercase">{label}</dt>
      <dd className="text-sm text-fg">{children}</dd>
    </div>
  );
}

function Meter({ value, max, text }: { value: number; max: number; text: string }) {
  const share = max > 0 ? Math.min(1, value / max) : 0;
  return (
    <div className="space-y-1">
      <span>{text}</span>
      <div role="meter" aria-valuenow={value} aria-valuemin={0} aria-valuemax={max} aria-valuetext={text} className="h-1.5 overflow-hidden rounded-full bg-surface-muted">
        <div className={share > 0.9 ? "h-full bg-danger-solid" : "h-full bg-primary"} style={{ width: `${Math.max(share * 100, value > 0 ? 2 : 0)}%` }} />
      </div>
    </div>
  );
}

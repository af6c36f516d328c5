"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { AddonStateBadge } from "@/components/addons/addon-state-badge";
import { configVarOf } from "@/components/addons/format";
import type { Addon } from "@/components/addons/types";
import { useAddonEvents } from "@/components/addons/use-addon-events";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { DatabaseIcon } from "@/components/ui/icons";
import { LoadingRows } from "@/components/ui/skeleton";
import { AddAddonDialog } from "./add-addon-dialog";

const BUSY_POLL_MS = 3000;

/** The app's add-ons on its Resources page: state live, with "Add-on" to provision one. */
export function AddonsCard({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const isLive = useAddonEvents(appName);
  const addons = useQuery({
    ...trpc.addons.list.queryOptions({ app: appName }),
    // Backs up the live stream while something is under way (a missed event must not stall it).
    refetchInterval: (query) => (query.state.data?.some((a) => a.state === "provisioning" || a.state === "deprovisioning") ? BUSY_POLL_MS : false),
  });

  return (
    <Card aria-labelledby="addons-title">
      <CardHeader
        titleId="addons-title"
        title="Add-ons"
        description={
          <>
            Databases and caches, reached through config vars.{" "}
            <span className="text-xs">{isLive ? "Live" : "Connecting…"}</span>
          </>
        }
        actions={<AddAddonDialog appName={appName} />}
      />
      {addons.isPending ? (
        <LoadingRows label="Loading add-ons" rows={2} />
      ) : addons.isError ? (
        <div className="p-4">
          <FieldError message={`Couldn't load add-ons: ${messageOf(addons.error)}`} />
        </div>
      ) : addons.data.length === 0 ? (
        <EmptyState icon={<DatabaseIcon />} title="No add-ons yet">
          Add PostgreSQL or Redis: it runs in its own container, and this app gets its URL as <code className="font-mono">DATABASE_URL</code>{" "}
          or <code className="font-mono">REDIS_URL</code> with a new release.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-border">
          {addons.data.map((addon) => (
            <AddonRow key={addon.id} appName={appName} addon={addon} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function AddonRow({ appName, addon }: { appName: string; addon: Addon }) {
  const mine = addon.attachments.filter((a) => a.app.name === appName);
  const isForeign = addon.app.name !== appName;
  return (
    <li aria-label={addon.name} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-5">
      <span className="flex size-9 shrink-0 items-center justify-center rounded-md bg-accent-soft text-link" aria-hidden="true">
        <DatabaseIcon />
      </span>
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/apps/${appName}/resources/addons/${addon.name}`} className="truncate font-medium text-link hover:underline">
            {addon.name}
          </Link>
          <AddonStateBadge state={addon.state} />
        </div>
        <p className="text-sm text-muted">
          {addon.serviceLabel} · {addon.plan}
          {mine.length > 0 && <> · as {mine.map((a) => configVarOf(a.name)).join(", ")}</>}
          {isForeign && <> · billed to {addon.app.name}</>}
        </p>
        {addon.state === "provisioning" && addon.progress && (
          <p className="text-sm text-muted" role="status" aria-label={`${addon.name} progress`}>
            {addon.progress}…
          </p>
        )}
        {addon.state === "failed" && <FieldError message={addon.error ?? "Provisioning failed."} />}
      </div>
    </li>
  );
}

"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { AddonStateBadge } from "@/components/addons/addon-state-badge";
import { describePlan } from "@/components/addons/format";
import { useAddonEvents } from "@/components/addons/use-addon-events";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card, CardContent } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { DatabaseIcon } from "@/components/ui/icons";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { AttachmentsCard } from "./attachments-card";
import { BackupsCard } from "./backups-card";
import { CredentialsCard } from "./credentials-card";
import { DestroyCard } from "./destroy-card";
import { StatusCard } from "./status-card";

/** One add-on: status and live figures, attachments, credentials, backups, destroy. */
export function AddonDetails({ appName, addonName }: { appName: string; addonName: string }) {
  const trpc = useTRPC();
  useAddonEvents(appName);
  const input = { app: appName, addon: addonName };
  const addon = useQuery({
    ...trpc.addons.get.queryOptions(input),
    refetchInterval: (q) => (q.state.data?.state === "provisioning" || q.state.data?.state === "deprovisioning" ? 3000 : false),
  });

  const back = (
    <nav aria-label="Breadcrumb" className="text-sm text-muted">
      <Link href={`/apps/${appName}/resources`} className="hover:text-fg hover:underline">
        Resources
      </Link>
      <span aria-hidden="true"> / </span>
      <span>{addonName}</span>
    </nav>
  );
  if (addon.isPending) return <div className="space-y-4">{back}<Card><LoadingRows label="Loading the add-on" rows={3} /></Card></div>;
  if (addon.isError) return <div className="space-y-4">{back}<FieldError message={`Couldn't load ${addonName}: ${messageOf(addon.error)}`} /></div>;

  const a = addon.data;
  const isBilling = a.app.name === appName;
  return (
    <div className="space-y-6">
      {back}
      <div className="flex flex-wrap items-center gap-3">
        <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-accent-soft text-link" aria-hidden="true">
          <DatabaseIcon />
        </span>
        <div className="min-w-0 flex-1">
          <h2 className="flex flex-wrap items-center gap-2 text-xl font-semibold text-fg">
            <span className="truncate">{a.name}</span>
            <AddonStateBadge state={a.state} />
          </h2>
          <p className="text-sm text-muted">
            {a.serviceLabel} · plan {a.plan} ({describePlan(a.planLimits)}) · billed to{" "}
            <Link href={`/apps/${a.app.name}/resources`} className="text-link hover:underline">
              {a.app.name}
            </Link>{" "}
            · added <RelativeTime date={a.createdAt} />
            {a.node && (
              <>
                {" "}
                · on swarm node <span className="font-mono text-fg">{a.node}</span> (pinned there with its data)
              </>
            )}
          </p>
        </div>
      </div>

      {a.state === "provisioning" && (
        <Card>
          <CardContent className="flex items-center gap-3" role="status" aria-label="Provisioning progress">
            <Spinner />
            <div>
              <p className="font-medium text-fg">Provisioning {a.serviceLabel}</p>
              <p className="text-sm text-muted">{a.progress ?? "Queued"}…</p>
            </div>
          </CardContent>
        </Card>
      )}
      {a.state === "failed" && (
        <Card tone="danger">
          <CardContent>
            <FieldError message={`Provisioning failed: ${a.error ?? "no reason was recorded"}. Nothing was left running; destroy it and try again.`} />
          </CardContent>
        </Card>
      )}
      {a.state === "available" && (
        <>
          <StatusCard appName={appName} addon={a} />
          <AttachmentsCard appName={appName} addon={a} />
          <CredentialsCard appName={appName} addon={a} />
          {a.supportsBackups && <BackupsCard appName={appName} addon={a} isBilling={isBilling} />}
        </>
      )}
      {a.state !== "deprovisioning" && <DestroyCard appName={appName} addon={a} isBilling={isBilling} />}
    </div>
  );
}

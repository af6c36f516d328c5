"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { LayersIcon } from "@/components/ui/icons";
import { LoadingRows } from "@/components/ui/skeleton";
import { AddonsCard } from "./addons-card";
import { compareDynos } from "./format";
import { OneOffPanel } from "./one-off-panel";
import { ProcessCard } from "./process-card";
import { RestartAllButton } from "./restart-all-button";
import { StandbyCard } from "./standby-card";
import { useDynos } from "./use-dynos";

export function AppResources({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const formation = useQuery(trpc.formation.list.queryOptions({ app: appName }));
  const sizes = useQuery({ ...trpc.formation.sizes.queryOptions(), staleTime: Infinity });
  const { dynos, isLive } = useDynos(appName, formation.data);

  if (formation.isPending || sizes.isPending) {
    return (
      <Card>
        <LoadingRows label="Loading resources" rows={4} />
      </Card>
    );
  }
  if (formation.isError) return <FieldError message={`Couldn't load the formation of ${appName}: ${messageOf(formation.error)}`} />;
  if (sizes.isError) return <FieldError message={`Couldn't load dyno sizes: ${messageOf(sizes.error)}`} />;

  if (formation.data.length === 0) {
    return (
      <div className="space-y-6">
        <Card>
          <EmptyState
            icon={<LayersIcon />}
            title="No process types yet"
            actions={
              <Link href={`/apps/${appName}`} className={buttonClasses()}>
                See how to deploy
              </Link>
            }
          >
            Deploying code creates this app&apos;s process types (web, worker, … from its Procfile). Push your code, then scale
            its dynos and run one-off commands here.
          </EmptyState>
        </Card>
        <AddonsCard appName={appName} />
      </div>
    );
  }

  const all = [...(dynos.data ?? [])].sort(compareDynos);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0 space-y-0.5">
          <h2 className="text-lg font-semibold text-fg">Dynos</h2>
          <p className="flex flex-wrap items-center gap-x-2 text-sm text-muted">
            <span>Scale each process type; its dynos converge below as they start.</span>
            <LiveIndicator isLive={isLive} />
          </p>
        </div>
        <RestartAllButton appName={appName} isDisabled={all.length === 0} />
      </div>
      {dynos.isError && <FieldError message={`Couldn't load dynos: ${messageOf(dynos.error)}`} />}
      {formation.data.map((entry) => (
        <ProcessCard key={entry.type} appName={appName} entry={entry} sizes={sizes.data} dynos={all.filter((d) => d.type === entry.type)} />
      ))}
      {formation.data.some((entry) => entry.type === "web") && <StandbyCard appName={appName} />}
      <OneOffPanel appName={appName} oneOffDynos={all.filter((d) => d.type === "run")} />
      <AddonsCard appName={appName} />
    </div>
  );
}

function LiveIndicator({ isLive }: { isLive: boolean }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-xs" title={isLive ? "Dyno states update as they change" : "Reconnecting to live updates"}>
      <span aria-hidden="true" className={cn("size-1.5 rounded-full", isLive ? "bg-success" : "animate-pulse bg-warning")} />
      {isLive ? "Live" : "Connecting…"}
    </span>
  );
}

"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";
import { AppInfoCard } from "./app-info-card";
import { BuildpacksCard } from "./buildpacks-card";
import { CertificatesCard } from "./certificates-card";
import { ConfigVarsCard } from "./config-vars-card";
import { DangerZoneCard } from "./danger-zone-card";
import { DomainsCard } from "./domains-card";
import { MaintenanceCard } from "./maintenance-card";
import { RenameAppCard } from "./rename-app-card";

export function AppSettings({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const app = useQuery(trpc.apps.get.queryOptions({ app: appName }));

  if (app.isPending) {
    return (
      <Card>
        <LoadingRows label="Loading settings" rows={4} />
      </Card>
    );
  }
  if (app.isError) return <FieldError message={`Couldn't load ${appName}: ${messageOf(app.error)}`} />;

  return (
    <div className="space-y-6">
      <AppInfoCard app={app.data} />
      <ConfigVarsCard appName={app.data.name} />
      <BuildpacksCard app={app.data} />
      <MaintenanceCard app={app.data} />
      <DomainsCard app={app.data} />
      <CertificatesCard app={app.data} />
      <RenameAppCard app={app.data} />
      <DangerZoneCard app={app.data} />
    </div>
  );
}

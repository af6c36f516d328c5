"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";
import { GitDeployCard } from "./git-deploy-card";
import { RecentBuilds } from "./recent-builds";
import { UploadCard } from "./upload-card";

/** Heroku's Deploy tab: push with git, or upload a source archive and watch it build. */
export function AppDeploy({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const app = useQuery(trpc.apps.get.queryOptions({ app: appName }));

  if (app.isPending) {
    return (
      <Card>
        <LoadingRows label="Loading deploy settings" rows={4} />
      </Card>
    );
  }
  if (app.isError) return <FieldError message={`Couldn't load ${appName}: ${messageOf(app.error)}`} />;

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-3">
      <div className="space-y-6 lg:col-span-2">
        <GitDeployCard gitUrl={app.data.gitUrl} />
        <UploadCard appName={appName} />
      </div>
      <div>
        <RecentBuilds appName={appName} />
      </div>
    </div>
  );
}

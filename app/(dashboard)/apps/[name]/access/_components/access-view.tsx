"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";
import { CollaboratorsCard } from "./collaborators-card";
import { LockCard } from "./lock-card";
import { TransferCard } from "./transfer-card";

/** Heroku's Access tab: who can use the app and what they may do, locking and transfer. */
export function AccessView({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const access = useQuery(trpc.access.list.queryOptions({ app: appName }));

  if (access.isPending) {
    return (
      <Card>
        <LoadingRows label="Loading access" rows={3} />
      </Card>
    );
  }
  if (access.isError) return <FieldError message={`Couldn't load who has access to ${appName}: ${messageOf(access.error)}`} />;

  return (
    <div className="space-y-6">
      <CollaboratorsCard access={access.data} />
      {access.data.app.isTeamApp && <LockCard access={access.data} />}
      <TransferCard access={access.data} />
    </div>
  );
}

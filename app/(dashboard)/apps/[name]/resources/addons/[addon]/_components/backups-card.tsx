"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatBytes } from "@/components/addons/format";
import type { Addon, AddonBackup } from "@/components/addons/types";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { ArchiveIcon, DownloadIcon, RollbackIcon } from "@/components/ui/icons";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { useToast } from "@/components/ui/toast";

/** A backup now (pg_dump, or a Redis RDB snapshot), the list, download, and restore (which replaces the contents). */
export function BackupsCard({ appName, addon, isBilling }: { appName: string; addon: Addon; isBilling: boolean }) {
  const trpc = useTRPC();
  const toast = useToast();
  const input = { app: appName, addon: addon.name };
  const backups = useQuery({
    ...trpc.addons.backups.list.queryOptions(input),
    refetchInterval: (q) => (q.state.data?.some((b) => b.status === "running") ? 2000 : false),
  });
  const capture = useMutation(trpc.addons.backups.capture.mutationOptions({ onSuccess: (b) => toast.success(`Capturing ${b.name}`) }));

  return (
    <Card aria-labelledby="addon-backups-title">
      <CardHeader
        titleId="addon-backups-title"
        title="Backups"
        description={`${addon.service === "slipway-redis" ? "RDB snapshots" : "pg_dump files"} kept by Slipway until the add-on is destroyed.`}
        actions={
          <Button variant="secondary" size="sm" isPending={capture.isPending} onClick={() => capture.mutate(input)}>
            <ArchiveIcon />
            Capture backup
          </Button>
        }
      />
      {capture.error && (
        <div className="px-4 pt-3 sm:px-5">
          <FieldError message={messageOf(capture.error)} />
        </div>
      )}
      {backups.isPending ? (
        <LoadingRows label="Loading backups" rows={2} />
      ) : backups.isError ? (
        <div className="p-4">
          <FieldError message={`Couldn't load backups: ${messageOf(backups.error)}`} />
        </div>
      ) : backups.data.length === 0 ? (
        <EmptyState icon={<ArchiveIcon />} title="No backups yet">
          Capture one before a risky migration; restoring it brings the database back to that moment.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-border">
          {backups.data.map((b) => (
            <BackupRow key={b.id} appName={appName} addon={addon} backup={b} isBilling={isBilling} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function BackupRow({ appName, addon, backup, isBilling }: { appName: string; addon: Addon; backup: AddonBackup; isBilling: boolean }) {
  const trpc = useTRPC();
  const toast = useToast();
  const [isConfirming, setIsConfirming] = useState(false);
  const restore = useMutation(
    trpc.addons.backups.restore.mutationOptions({
      onSuccess: () => {
        setIsConfirming(false);
        toast.success(`Restored ${backup.name} into ${addon.name}`);
      },
    }),
  );
  const href = `/api/apps/${encodeURIComponent(appName)}/addons/${encodeURIComponent(addon.name)}/backups/${backup.name}`;
  return (
    <li aria-label={`Backup ${backup.name}`} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5">
      <div className="min-w-0">
        <p className="flex items-center gap-2 font-mono text-sm font-medium text-fg">
          {backup.name}
          {backup.status === "running" ? (
            <Badge tone="warning">
              <Spinner className="size-3" />
              running
            </Badge>
          ) : (
            <Badge tone={backup.status === "completed" ? "success" : "danger"}>{backup.status}</Badge>
          )}
        </p>
        <p className="text-sm text-muted">
          <RelativeTime date={backup.createdAt} />
          {backup.sizeBytes !== null && <> · {formatBytes(backup.sizeBytes)}</>}
        </p>
        {backup.error && <FieldError message={backup.error} />}
      </div>
      {backup.status === "completed" && (
        <div className="flex items-center gap-1">
          <a href={href} download className={buttonClasses({ variant: "ghost", size: "sm" })}>
            <DownloadIcon />
            Download
          </a>
          {isBilling && (
            <Button variant="ghost" size="sm" onClick={() => setIsConfirming(true)}>
              <RollbackIcon />
              Restore
            </Button>
          )}
        </div>
      )}
      <Dialog open={isConfirming} onOpenChange={(open) => !restore.isPending && (setIsConfirming(open), restore.reset())}>
        <DialogContent
          title={`Restore ${backup.name}?`}
          description={`${addon.name}'s tables are replaced by those in ${backup.name}; changes made since are lost. Open connections are ended (apps reconnect).`}
        >
          <FieldError message={restore.error ? messageOf(restore.error) : null} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost">Cancel</Button>
            </DialogClose>
            <Button variant="danger" isPending={restore.isPending} onClick={() => restore.mutate({ app: appName, addon: addon.name, backup: backup.name })}>
              {restore.isPending ? "Restoring…" : `Restore ${backup.name}`}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </li>
  );
}

"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { RollbackIcon } from "@/components/ui/icons";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { useToast } from "@/components/ui/toast";
import { useAppPermissions } from "@/components/use-app-permissions";

/**
 * Heroku's rollback: a new release with an earlier release's code and config vars. Nothing
 * is deleted — the releases since stay in the history, so it asks only to confirm.
 */
export function RollbackButton({ appName, version, currentVersion }: { appName: string; version: number; currentVersion: number | null }) {
  const reason = useAppPermissions(appName).denied("releases:rollback");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isOpen, setIsOpen] = useState(false);
  const rollback = useMutation(
    trpc.releases.rollback.mutationOptions({
      onSuccess: async (release) => {
        setIsOpen(false);
        toast.success(`Rolled back to v${version}`, `Released v${release.version}: ${release.description}.`);
        for (const queryKey of [trpc.releases.pathKey(), trpc.builds.pathKey(), trpc.apps.pathKey(), trpc.formation.pathKey(), trpc.dynos.pathKey()]) {
          await queryClient.invalidateQueries({ queryKey });
        }
      },
    }),
  );

  return (
    <Dialog
      open={isOpen}
      onOpenChange={(open) => {
        setIsOpen(open);
        if (!open) rollback.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" disabled={!!reason} title={reason ?? undefined}>
          <RollbackIcon /> Roll back to v{version}
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Roll back to v${version}?`}
        description={
          `${appName} gets a new release with v${version}'s code and config vars, and its dynos restart on it.` +
          (currentVersion ? ` Nothing is deleted: you can roll back to v${currentVersion} later.` : "")
        }
      >
        <FieldError message={rollback.error ? messageOf(rollback.error) : null} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="ghost">Cancel</Button>
          </DialogClose>
          <Button isPending={rollback.isPending} onClick={() => rollback.mutate({ app: appName, version })}>
            {rollback.isPending ? "Rolling back…" : `Roll back to v${version}`}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

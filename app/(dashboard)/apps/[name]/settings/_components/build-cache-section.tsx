"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { useToast } from "@/components/ui/toast";
import type { AppDetails } from "./types";

/** `heroku builds:cache:purge` as a button: the next build downloads every dependency again. */
export function BuildCacheSection({ app }: { app: AppDetails }) {
  const trpc = useTRPC();
  const toast = useToast();
  const [isConfirming, setIsConfirming] = useState(false);
  const purge = useMutation(
    trpc.buildpacks.purgeCache.mutationOptions({
      onSuccess: (result) => {
        setIsConfirming(false);
        toast.success("Build cache purged", result.purged ? "The next build starts without it." : "It was already empty.");
      },
    }),
  );
  const reason = deniedReason(app.permissions, "builds:cache_purge");

  function onOpenChange(open: boolean) {
    if (purge.isPending) return;
    setIsConfirming(open);
    if (!open) purge.reset();
  }

  return (
    <div className="flex flex-wrap items-center justify-between gap-3 border-t border-border px-4 py-4 sm:px-5">
      <div className="min-w-0 space-y-0.5">
        <h3 className="text-sm font-medium text-fg">Build cache</h3>
        <p className="text-sm text-muted">Dependencies downloaded by earlier builds are kept to make the next one faster.</p>
      </div>
      <Button variant="secondary" size="sm" disabled={!!reason} title={reason ?? undefined} onClick={() => onOpenChange(true)}>
        Purge build cache
      </Button>
      <Dialog open={isConfirming} onOpenChange={onOpenChange}>
        <DialogContent
          title="Purge the build cache?"
          description={`The next build of ${app.name} downloads and installs every dependency again, which takes longer. Clearing the cache can also change versions your app does not pin.`}
        >
          <FieldError message={purge.error ? messageOf(purge.error) : null} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="secondary" disabled={purge.isPending}>
                Cancel
              </Button>
            </DialogClose>
            <Button variant="danger" isPending={purge.isPending} onClick={() => purge.mutate({ app: app.name })}>
              Purge cache
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}

"use client";

import { useState } from "react";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { RestartIcon } from "@/components/ui/icons";
import { useDynoActions } from "./use-dyno-actions";
import { useAppPermissions } from "@/components/use-app-permissions";

/** Restarts every dyno of the app, after asking: web dynos drop their requests briefly. */
export function RestartAllButton({ appName, isDisabled }: { appName: string; isDisabled: boolean }) {
  const reason = useAppPermissions(appName).denied("dynos:restart");
  const { restart } = useDynoActions(appName);
  const [isOpen, setIsOpen] = useState(false);

  return (
    <Dialog
      open={isOpen}
      onOpenChange={(open) => {
        setIsOpen(open);
        if (!open) restart.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" disabled={isDisabled || !!reason} title={reason ?? undefined}>
          <RestartIcon /> Restart all dynos
        </Button>
      </DialogTrigger>
      <DialogContent
        title="Restart all dynos?"
        description={`Every dyno of ${appName} is stopped and started again. Requests in flight may fail while web dynos restart.`}
      >
        <FieldError message={restart.error ? messageOf(restart.error) : null} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="ghost">Cancel</Button>
          </DialogClose>
          <Button isPending={restart.isPending} onClick={() => restart.mutate({ app: appName }, { onSuccess: () => setIsOpen(false) })}>
            Restart all dynos
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

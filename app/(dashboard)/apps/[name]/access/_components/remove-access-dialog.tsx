"use client";

import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";

export function RemoveAccessDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  email: string;
  appName: string;
  isPending: boolean;
  error: string | null;
  onConfirm: () => void;
}) {
  return (
    <Dialog open={props.open} onOpenChange={props.onOpenChange}>
      <DialogContent
        title={`Remove ${props.email}?`}
        description={`Their access to ${props.appName} ends at once: open log streams close and their API keys stop working on this app.`}
      >
        <FieldError message={props.error} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="ghost" disabled={props.isPending}>
              Cancel
            </Button>
          </DialogClose>
          <Button variant="danger" isPending={props.isPending} onClick={props.onConfirm}>
            Remove access
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

"use client";

import { useState, type ReactNode } from "react";
import { messageOf } from "@/components/trpc-errors";
import { Button, type ButtonVariant } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";

/** A button that asks first (remove a member, leave, revoke an invitation); errors show in the dialog. */
export function ConfirmAction({
  trigger,
  triggerLabel,
  triggerVariant = "danger-outline",
  title,
  description,
  action,
  isPending,
  error,
  onConfirm,
  onClose,
}: {
  trigger: ReactNode;
  triggerLabel?: string;
  triggerVariant?: ButtonVariant;
  title: string;
  description: ReactNode;
  action: string;
  isPending: boolean;
  error: unknown;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [isOpen, setIsOpen] = useState(false);
  return (
    <Dialog
      open={isOpen}
      onOpenChange={(open) => {
        if (isPending) return;
        setIsOpen(open);
        if (!open) onClose();
      }}
    >
      <DialogTrigger asChild>
        <Button variant={triggerVariant} size="sm" aria-label={triggerLabel}>
          {trigger}
        </Button>
      </DialogTrigger>
      <DialogContent title={title} description={description}>
        <FieldError message={error ? messageOf(error) : null} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="ghost">Cancel</Button>
          </DialogClose>
          <Button
            variant="danger"
            isPending={isPending}
            onClick={() => onConfirm().then(() => setIsOpen(false), () => undefined)}
          >
            {action}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

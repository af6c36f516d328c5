"use client";

import { useMutation } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";

/** "Sign out everywhere": every dashboard session of this account ends, this one too. */
export function SessionsCard({ maxAgeDays }: { maxAgeDays: number }) {
  const trpc = useTRPC();
  const [isOpen, setIsOpen] = useState(false);
  const revoke = useMutation(
    trpc.account.signOutEverywhere.mutationOptions({
      onSuccess: () => void signOut({ callbackUrl: "/login" }),
    }),
  );

  return (
    <Card aria-labelledby="sessions-title">
      <CardHeader
        titleId="sessions-title"
        title="Sessions"
        description={`You stay signed in on a browser for ${maxAgeDays} days after you last used Slipway there.`}
      />
      <CardContent className="flex flex-wrap items-center justify-between gap-3">
        <p className="max-w-prose text-sm text-muted">
          Signed in on a computer you no longer use, or think someone else is? End every dashboard session of this account.
          API keys are not affected: revoke them below.
        </p>
        <Dialog
          open={isOpen}
          onOpenChange={(open) => {
            if (revoke.isPending) return;
            setIsOpen(open);
            if (!open) revoke.reset();
          }}
        >
          <DialogTrigger asChild>
            <Button variant="danger-outline">Sign out everywhere…</Button>
          </DialogTrigger>
          <DialogContent
            title="Sign out everywhere?"
            description="Every browser signed in to this account is signed out at its next request, this one included. You will sign in again with your password."
          >
            <FieldError message={revoke.error ? messageOf(revoke.error) : null} />
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="ghost">Cancel</Button>
              </DialogClose>
              <Button variant="danger" isPending={revoke.isPending || revoke.isSuccess} onClick={() => revoke.mutate()}>
                Sign out everywhere
              </Button>
            </DialogFooter>
          </DialogContent>
        </Dialog>
      </CardContent>
    </Card>
  );
}

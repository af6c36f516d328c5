"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { AlertIcon, TrashIcon } from "@/components/ui/icons";
import { RelativeTime } from "@/components/ui/relative-time";
import { useToast } from "@/components/ui/toast";
import type { AppRouter } from "@/server/trpc/root";

export type LogDrain = inferRouterOutputs<AppRouter>["logs"]["drains"][number];
type DrainState = NonNullable<LogDrain["status"]>["state"];

const STATES: Record<DrainState | "waiting", { label: string; tone: BadgeTone; title: string }> = {
  waiting: { label: "Waiting", tone: "neutral", title: "Delivery to this drain has not started yet." },
  connecting: { label: "Connecting", tone: "warning", title: "Connecting to the receiver." },
  delivering: { label: "Delivering", tone: "success", title: "The receiver accepts lines." },
  failing: { label: "Failing", tone: "danger", title: "The receiver refuses lines or cannot be reached; Slipway keeps retrying." },
  closed: { label: "Closed", tone: "neutral", title: "Delivery to this drain has stopped." },
};

const count = (n: number) => n.toLocaleString("en");

export function DrainRow({ appName, drain, canRemove }: { appName: string; drain: LogDrain; canRemove: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isConfirming, setIsConfirming] = useState(false);
  const remove = useMutation(
    trpc.logs.removeDrain.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.logs.drains.queryKey({ app: appName }) });
        setIsConfirming(false);
        toast.success("Removed log drain", `Lines no longer go to ${drain.url}.`);
      },
    }),
  );

  function onOpenChange(open: boolean) {
    if (remove.isPending) return;
    setIsConfirming(open);
    if (!open) remove.reset();
  }

  const status = drain.status;
  const state = STATES[status?.state ?? "waiting"];
  return (
    <li aria-label={drain.url} className="space-y-2 px-4 py-3 sm:px-5">
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1 space-y-1">
          <p className="font-mono text-sm font-medium break-all text-fg">{drain.url}</p>
          <div className="flex min-w-0 items-center gap-1 text-xs text-muted">
            <span className="shrink-0">Token</span>
            <code className="min-w-0 truncate font-mono text-fg">{drain.token}</code>
            <CopyButton value={drain.token} label={`token of ${drain.url}`} showText={false} variant="ghost" />
          </div>
        </div>
        <Badge tone={state.tone} title={state.title} className="mt-0.5">
          {state.label}
        </Badge>
        {canRemove && (
          <Button variant="ghost" size="sm" aria-label={`Remove ${drain.url}`} className="-my-1 hover:text-danger" onClick={() => onOpenChange(true)}>
            <TrashIcon />
            <span className="hidden sm:inline">Remove</span>
          </Button>
        )}
      </div>
      {status && (
        <dl className="flex flex-wrap gap-x-4 gap-y-1 text-sm text-muted">
          <Stat label="Delivered" value={count(status.delivered)} />
          <Stat label="Dropped" value={count(status.dropped)} isBad={status.dropped > 0} />
          <Stat label="Queued" value={count(status.queued)} />
          {status.lastDeliveredAt && <Stat label="Last delivery" value={<RelativeTime date={status.lastDeliveredAt} />} />}
        </dl>
      )}
      {status?.lastError && (
        <p className="flex items-start gap-1.5 text-sm text-danger">
          <AlertIcon className="mt-0.5 size-3.5 shrink-0" />
          <span className="min-w-0 break-words">
            <span className="font-medium">Last error</span>
            {status.lastErrorAt && (
              <>
                {" "}
                (<RelativeTime date={status.lastErrorAt} />)
              </>
            )}
            : {status.lastError}
          </span>
        </p>
      )}
      <Dialog open={isConfirming} onOpenChange={onOpenChange}>
        <DialogContent
          title="Remove this log drain?"
          description={`Lines stop going to ${drain.url} at once. What it already received stays with the receiver.`}
        >
          <FieldError message={remove.error ? messageOf(remove.error) : null} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost" disabled={remove.isPending}>
                Cancel
              </Button>
            </DialogClose>
            <Button variant="danger" isPending={remove.isPending} onClick={() => remove.mutate({ app: appName, id: drain.id })}>
              Remove drain
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </li>
  );
}

function Stat({ label, value, isBad = false }: { label: string; value: ReactNode; isBad?: boolean }) {
  return (
    <div className="flex gap-1">
      <dt>{label}</dt>
      <dd className={isBad ? "font-medium text-danger" : "font-medium text-fg tabular-nums"}>{value}</dd>
    </div>
  );
}

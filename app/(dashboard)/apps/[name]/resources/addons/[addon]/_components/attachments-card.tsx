"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { configVarOf } from "@/components/addons/format";
import type { Addon } from "@/components/addons/types";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf, messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { CodeInput, Select } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";

type Attachment = Addon["attachments"][number];

/** Which apps have it (and under which config var); attach it to another app of the same owner, or detach. */
export function AttachmentsCard({ appName, addon }: { appName: string; addon: Addon }) {
  const billingCount = addon.attachments.filter((a) => a.app.id === addon.app.id).length;
  return (
    <Card aria-labelledby="addon-attachments-title">
      <CardHeader titleId="addon-attachments-title" title="Attachments" description="Each attached app can reach it and has its URL as a config var." />
      <ul className="divide-y divide-border">
        {addon.attachments.map((a) => (
          <AttachmentRow key={a.id} appName={appName} addon={addon} attachment={a} isLastOnBilling={a.app.id === addon.app.id && billingCount === 1} />
        ))}
      </ul>
      <AttachForm appName={appName} addon={addon} />
    </Card>
  );
}

function AttachmentRow({ appName, addon, attachment, isLastOnBilling }: { appName: string; addon: Addon; attachment: Attachment; isLastOnBilling: boolean }) {
  const trpc = useTRPC();
  const toast = useToast();
  const [isConfirming, setIsConfirming] = useState(false);
  const detach = useMutation(
    trpc.addons.detach.mutationOptions({
      onSuccess: (result) => {
        setIsConfirming(false);
        toast.success(`Detached ${attachment.name} from ${attachment.app.name}`, result.release ? `Release v${result.release.version} restarts its dynos.` : undefined);
      },
    }),
  );
  return (
    <li aria-label={`${attachment.app.name} as ${attachment.name}`} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5">
      <div className="min-w-0">
        <Link href={`/apps/${attachment.app.name}/resources`} className="font-medium text-link hover:underline">
          {attachment.app.name}
        </Link>
        <p className="font-mono text-sm text-muted">{configVarOf(attachment.name)}</p>
      </div>
      {isLastOnBilling ? (
        <p className="text-sm text-muted">Billing app: destroy the add-on to remove it here.</p>
      ) : (
        <Button variant="ghost" size="sm" onClick={() => setIsConfirming(true)}>
          Detach
        </Button>
      )}
      <Dialog open={isConfirming} onOpenChange={(open) => !detach.isPending && (setIsConfirming(open), detach.reset())}>
        <DialogContent
          title={`Detach ${attachment.name} from ${attachment.app.name}?`}
          description={`${attachment.app.name} loses ${configVarOf(attachment.name)} (a new release restarts its dynos) and can no longer reach ${addon.name}. The data stays.`}
        >
          <FieldError message={detach.error ? messageOf(detach.error) : null} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost">Cancel</Button>
            </DialogClose>
            <Button variant="danger" isPending={detach.isPending} onClick={() => detach.mutate({ app: appName, addon: addon.name, attachmentId: attachment.id })}>
              Detach
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </li>
  );
}

function AttachForm({ appName, addon }: { appName: string; addon: Addon }) {
  const trpc = useTRPC();
  const toast = useToast();
  const apps = useQuery(trpc.addons.attachableApps.queryOptions({ app: appName, addon: addon.name }));
  const [toApp, setToApp] = useState("");
  const [as, setAs] = useState("");
  const attach = useMutation(
    trpc.addons.attach.mutationOptions({
      onSuccess: (result) => {
        toast.success(`Attached to ${toApp} as ${result.attachment.name}`, result.release ? `Release v${result.release.version} restarts its dynos.` : undefined);
        setToApp("");
        setAs("");
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (toApp) attach.mutate({ app: appName, addon: addon.name, toApp, as: as.trim() || null });
  }

  const choices = apps.data ?? [];
  return (
    <CardContent className="border-t border-border">
      <form onSubmit={onSubmit} noValidate className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-end">
        <div className="space-y-1.5">
          <Label htmlFor="attach-app">Attach to app</Label>
          <Select id="attach-app" value={toApp} onChange={(e) => setToApp(e.target.value)} disabled={apps.isPending || choices.length === 0}>
            <option value="">{apps.isPending ? "Loading apps…" : choices.length === 0 ? "No other apps of this owner" : "Choose an app"}</option>
            {choices.map((a) => (
              <option key={a.id} value={a.name}>
                {a.name}
                {a.attached ? " (attached)" : ""}
              </option>
            ))}
          </Select>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="attach-as">As (optional)</Label>
          <CodeInput
            id="attach-as"
            value={as}
            onChange={(e) => setAs(e.target.value.toUpperCase())}
            placeholder="DATABASE"
            aria-invalid={errorFor(attach.error, "as") ? true : undefined}
          />
        </div>
        <Button type="submit" variant="secondary" isPending={attach.isPending} disabled={!toApp}>
          Attach
        </Button>
      </form>
      <FieldError className="mt-2" message={errorFor(attach.error, "as") ?? formErrorOf(attach.error, ["as"]) ?? (apps.isError ? messageOf(apps.error) : null)} />
    </CardContent>
  );
}

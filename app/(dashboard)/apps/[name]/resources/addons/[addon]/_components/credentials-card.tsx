"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Addon } from "@/components/addons/types";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { EyeIcon, EyeOffIcon, KeyIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";

const HIDDEN = "••••••••••••";

/** Masked until revealed (deploy access); rotating makes a release of every attached app. */
export function CredentialsCard({ appName, addon }: { appName: string; addon: Addon }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isRevealed, setIsRevealed] = useState(false);
  const [isConfirming, setIsConfirming] = useState(false);
  const input = { app: appName, addon: addon.name };
  const credentials = useQuery({ ...trpc.addons.credentials.queryOptions(input), enabled: isRevealed, staleTime: 0, gcTime: 0 });
  const rotate = useMutation(
    trpc.addons.rotate.mutationOptions({
      onSuccess: async () => {
        setIsConfirming(false);
        await queryClient.invalidateQueries({ queryKey: trpc.addons.credentials.queryKey(input) });
        const apps = [...new Set(addon.attachments.map((a) => a.app.name))].join(", ");
        toast.success("Credentials rotated", `New releases of ${apps} restart their dynos with the new URL.`);
      },
    }),
  );

  const c = isRevealed ? credentials.data : undefined;
  const rows: Array<[string, string | null | undefined, boolean]> = [
    ["Host", c?.host ?? addon.name, false],
    ["Port", c ? String(c.port) : addon.service === "slipway-redis" ? "6379" : "5432", false],
    ...(addon.service === "slipway-redis" ? [] : ([["User", c?.user, true], ["Database", c?.database, true]] as Array<[string, string | null | undefined, boolean]>)),
    ["Password", c?.password, true],
    ["URL", c?.url, true],
  ];

  return (
    <Card aria-labelledby="addon-credentials-title">
      <CardHeader
        titleId="addon-credentials-title"
        title="Credentials"
        description="The host is the add-on's name on attached apps' networks; nothing else can reach it."
        actions={
          <>
            <Button variant="secondary" size="sm" isPending={isRevealed && credentials.isFetching} onClick={() => setIsRevealed(!isRevealed)}>
              {isRevealed ? <EyeOffIcon /> : <EyeIcon />}
              {isRevealed ? "Hide" : "Reveal"}
            </Button>
            <Button variant="secondary" size="sm" onClick={() => setIsConfirming(true)}>
              <KeyIcon />
              Rotate
            </Button>
          </>
        }
      />
      <CardContent>
        <dl className="grid gap-x-4 gap-y-2 sm:grid-cols-[8rem_minmax(0,1fr)]">
          {rows.map(([label, value, isSecret]) => (
            <div key={label} className="contents">
              <dt className="text-sm font-medium text-muted">{label}</dt>
              <dd className="flex min-w-0 items-center gap-2 font-mono text-sm break-all text-fg">
                {isSecret && !value ? <span aria-label={`${label} hidden`} className="tracking-widest text-muted">{HIDDEN}</span> : <span>{value}</span>}
                {label === "URL" && value && <CopyButton value={value} label="URL" size="sm" showText={false} variant="ghost" />}
              </dd>
            </div>
          ))}
        </dl>
        <FieldError className="mt-3" message={isRevealed && credentials.isError ? messageOf(credentials.error) : null} />
      </CardContent>
      <Dialog open={isConfirming} onOpenChange={(open) => !rotate.isPending && (setIsConfirming(open), rotate.reset())}>
        <DialogContent
          title="Rotate credentials?"
          description={`${addon.name} gets a new password; the old one stops working at once. Every attached app gets a release with the new URL and its dynos restart.`}
        >
          <FieldError message={rotate.error ? messageOf(rotate.error) : null} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost">Cancel</Button>
            </DialogClose>
            <Button variant="danger" isPending={rotate.isPending} onClick={() => rotate.mutate(input)}>
              Rotate credentials
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </Card>
  );
}

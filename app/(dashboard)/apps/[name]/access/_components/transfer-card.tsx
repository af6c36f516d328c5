"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { Input, Select } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { SegmentedControl } from "@/components/ui/segmented-control";
import { useToast } from "@/components/ui/toast";
import { PendingTransfers } from "./pending-transfers";
import type { AccessDetails } from "./types";

type Mode = "team" | "person";

/** Why the viewer cannot transfer this app, or null. */
function transferReason(access: AccessDetails): string | null {
  const { app, viewer } = access;
  if (app.isTeamApp && viewer.teamRole !== "admin") return `Only an admin of ${app.team?.name} can transfer its apps.`;
  return deniedReason(viewer.permissions, "app:transfer");
}

export function TransferCard({ access }: { access: AccessDetails }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const { app } = access;
  const reason = transferReason(access);
  const [mode, setMode] = useState<Mode>("team");
  const [team, setTeam] = useState("");
  const [email, setEmail] = useState("");
  const [isConfirming, setIsConfirming] = useState(false);
  const teams = useQuery({ ...trpc.teams.list.queryOptions(), enabled: !reason });
  // A personal app may go to a team where its owner creates apps; a team app only to a team they administer.
  const targets = (teams.data ?? []).filter((t) => t.name !== app.team?.name && (t.role === "admin" || (!app.isTeamApp && t.role === "member")));
  const recipient = mode === "team" ? team || targets[0]?.name || "" : email.trim();
  const transfer = useMutation(
    trpc.access.transfer.mutationOptions({
      onSettled: () => setIsConfirming(false),
      onSuccess: async (result) => {
        if (result.state === "pending") {
          toast.success(`Offered ${app.name} to ${recipient}`, "It moves once they accept it on their Apps page.");
          setEmail("");
          await queryClient.invalidateQueries({ queryKey: trpc.access.list.queryKey({ app: app.name }) });
          return;
        }
        toast.success(`Transferred ${app.name} to ${recipient}`);
        await queryClient.invalidateQueries();
        router.push(mode === "team" ? `/apps/${encodeURIComponent(app.name)}` : "/apps");
        router.refresh();
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (recipient) setIsConfirming(true);
  }

  const personHint = app.isTeamApp
    ? `To one of ${app.team?.name}'s admins; every grant on the app is removed.`
    : "They get an offer to accept; until then the app stays yours. You stay on as a collaborator.";
  return (
    <Card id="transfer" aria-labelledby="transfer-title" className="scroll-mt-24">
      <CardHeader
        titleId="transfer-title"
        title="Transfer ownership"
        description="The app moves with its add-ons, domains, config vars, releases and dynos. Add-ons shared with apps that stay behind must be detached first."
      />
      <PendingTransfers appName={app.name} transfers={access.pendingTransfers} />
      <CardContent>
        {reason ? (
          <p className="text-sm text-muted">{reason}</p>
        ) : (
          <form onSubmit={onSubmit} noValidate aria-label="Transfer the app" className="space-y-3">
            <SegmentedControl
              label="Transfer to"
              options={[
                { value: "team", label: "A team" },
                { value: "person", label: "A person" },
              ]}
              value={mode}
              onChange={(m) => {
                setMode(m);
                transfer.reset();
              }}
            />
            <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
              {mode === "team" ? (
                <div className="space-y-1">
                  <Label htmlFor="transfer-team">Team</Label>
                  <Select id="transfer-team" value={recipient} onChange={(e) => setTeam(e.target.value)} disabled={targets.length === 0} className="sm:w-64">
                    {targets.length === 0 && <option value="">No team you can move it to</option>}
                    {targets.map((t) => (
                      <option key={t.id} value={t.name}>
                        {t.name}
                      </option>
                    ))}
                  </Select>
                </div>
              ) : (
                <div className="space-y-1">
                  <Label htmlFor="transfer-email">Email</Label>
                  <Input id="transfer-email" type="email" placeholder="name@example.com" value={email} onChange={(e) => setEmail(e.target.value)} className="sm:w-64" />
                </div>
              )}
              <Button type="submit" variant="danger-outline" isPending={transfer.isPending} disabled={!recipient}>
                Transfer…
              </Button>
            </div>
            {transfer.error ? (
              <FieldError message={errorFor(transfer.error, "recipient") ?? messageOf(transfer.error)} />
            ) : (
              <p className="text-sm text-muted">{mode === "person" ? personHint : "You must be able to create apps in the team (admin or member)."}</p>
            )}
          </form>
        )}
      </CardContent>
      <Dialog open={isConfirming} onOpenChange={(open) => !transfer.isPending && setIsConfirming(open)}>
        <DialogContent
          title={`Transfer ${app.name} to ${recipient}?`}
          description={mode === "person" ? personHint : `Its access follows ${recipient}'s members and grants from now on.`}
        >
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost" disabled={transfer.isPending}>
                Cancel
              </Button>
            </DialogClose>
            <Button variant="danger" isPending={transfer.isPending} onClick={() => transfer.mutate({ app: app.name, recipient })}>
              Transfer app
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </Card>
  );
}

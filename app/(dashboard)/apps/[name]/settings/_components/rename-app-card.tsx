"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import type { AppDetails } from "./types";

export function RenameAppCard({ app }: { app: AppDetails }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [newName, setNewName] = useState(app.name);
  const rename = useMutation(
    trpc.apps.rename.mutationOptions({
      onSuccess: async (renamed) => {
        queryClient.removeQueries({ queryKey: trpc.apps.get.queryKey({ app: app.name }) });
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.pathKey() });
        toast.success(`Renamed to ${renamed.name}`, "Update your git remote: the app's git URL changed.");
        router.replace(`/apps/${renamed.name}/settings`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate({ app: app.name, newName: newName.trim() });
  }

  const nameError = errorFor(rename.error, "name") ?? errorFor(rename.error, "newName");
  const isUnchanged = newName.trim() === app.name;
  return (
    <Card aria-labelledby="rename-title">
      <CardHeader
        titleId="rename-title"
        title="Rename app"
        description={
          <>
            The name is part of the app&apos;s URLs and git remote. After renaming, run{" "}
            <code className="font-mono text-fg">git remote set-url slipway &lt;new git URL&gt;</code>.
          </>
        }
      />
      <CardContent>
        {!deniedReason(app.permissions, "app:rename") ? (
          <form onSubmit={onSubmit} noValidate className="space-y-2">
            <Label htmlFor="rename-name">New name</Label>
            <div className="flex flex-col gap-2 sm:flex-row">
              <Input
                id="rename-name"
                value={newName}
                onChange={(e) => setNewName(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={nameError ? true : undefined}
                aria-describedby={nameError ? "rename-name-error" : undefined}
                className="sm:max-w-sm"
              />
              <Button type="submit" variant="secondary" isPending={rename.isPending} disabled={isUnchanged}>
                Rename
              </Button>
            </div>
            <FieldError id="rename-name-error" message={nameError ?? formErrorOf(rename.error, ["name", "newName"])} />
          </form>
        ) : (
          <p className="text-sm text-muted">{deniedReason(app.permissions, "app:rename")}</p>
        )}
      </CardContent>
    </Card>
  );
}

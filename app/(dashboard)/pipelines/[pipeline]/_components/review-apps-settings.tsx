"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { SettingsIcon } from "@/components/ui/icons";
import { Input, Select } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import type { Overview, StageApp } from "./types";

/** The dashboard's review-apps toggle: on with a parent app and optional auto-destroy, or off. */
export function ReviewAppsSettings({ pipeline, config, parents }: { pipeline: string; config: Overview["reviewAppConfig"]; parents: StageApp[] }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [isOpen, setIsOpen] = useState(false);
  const [autoDestroy, setAutoDestroy] = useState(config?.destroyStaleApps ?? false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ pipeline }) });
  const configure = useMutation(
    trpc.pipelines.reviewApps.configure.mutationOptions({
      onSuccess: async (saved) => {
        setIsOpen(false);
        toast.success(config ? "Review apps updated" : "Review apps enabled", `Branches pushed to ${saved.parentApp.name} get their own app.`);
        await refresh();
      },
    }),
  );
  const disable = useMutation(
    trpc.pipelines.reviewApps.disable.mutationOptions({
      onSuccess: async () => {
        setIsOpen(false);
        toast.success("Review apps disabled", "Existing review apps stay until their branch is deleted.");
        await refresh();
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    configure.mutate({ pipeline, parent: String(form.get("parent") ?? "") || null, destroyStaleApps: autoDestroy, staleDays: Number(form.get("staleDays")) || null });
  }
  return (
    <Dialog
      open={isOpen}
      onOpenChange={(open) => {
        setIsOpen(open);
        if (open) setAutoDestroy(config?.destroyStaleApps ?? false);
        else configure.reset();
      }}
    >
      <DialogTrigger asChild>
        {config ? (
          <Button size="sm" variant="ghost" aria-label="Review app settings" title="Review app settings">
            <SettingsIcon />
          </Button>
        ) : (
          <Button size="sm" variant="secondary">
            Enable
          </Button>
        )}
      </DialogTrigger>
      <DialogContent title="Review apps" description="A push of any branch but main or master to the parent app creates or updates that branch's review app, with app.json's review environment applied.">
        {parents.length === 0 ? (
          <p className="text-sm text-muted">Add an app to a stage first: review apps are made from one of the pipeline&apos;s apps.</p>
        ) : (
          <form onSubmit={onSubmit} noValidate className="space-y-4">
            <Field id="review-parent" label="Parent app" hint="Whose repository the branches are pushed to, and whose config seeds them." error={errorFor(configure.error, "parent")}>
              {(props) => (
                <Select {...props} name="parent" defaultValue={config?.parentApp.name ?? parents.find((p) => p.name)?.name}>
                  {parents.map((p) => (
                    <option key={p.id} value={p.name}>
                      {p.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <div className="flex items-center justify-between gap-3">
              <label htmlFor="review-autodestroy" className="text-sm font-medium text-fg">
                Destroy review apps with no push for a while
              </label>
              <Switch id="review-autodestroy" checked={autoDestroy} onCheckedChange={setAutoDestroy} />
            </div>
            {autoDestroy && (
              <Field id="review-days" label="Days without a push" error={errorFor(configure.error, "staleDays")}>
                {(props) => <Input {...props} name="staleDays" type="number" min={1} max={30} defaultValue={config?.staleDays ?? 5} className="w-28" />}
              </Field>
            )}
            <FieldError message={formErrorOf(configure.error ?? disable.error, ["parent", "staleDays"])} />
            <DialogFooter className="sm:justify-between">
              {config ? (
                <Button variant="danger-outline" isPending={disable.isPending} onClick={() => disable.mutate({ pipeline })}>
                  Disable review apps
                </Button>
              ) : (
                <span />
              )}
              <div className="flex flex-col-reverse gap-2 sm:flex-row">
                <DialogClose asChild>
                  <Button variant="ghost">Cancel</Button>
                </DialogClose>
                <Button type="submit" isPending={configure.isPending}>
                  {config ? "Save" : "Enable review apps"}
                </Button>
              </div>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { describePlan } from "@/components/addons/format";
import type { AddonService } from "@/components/addons/types";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf, messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { PlusIcon } from "@/components/ui/icons";
import { CodeInput } from "@/components/ui/input";
import { LoadingRows } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";
import { useAppPermissions } from "@/components/use-app-permissions";

/** Pick a service and a plan (its limits shown), confirm: provisioning starts in the background. */
export function AddAddonDialog({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isOpen, setIsOpen] = useState(false);
  const createReason = useAppPermissions(appName).denied("addons:create");
  const [service, setService] = useState<string | null>(null);
  const [plan, setPlan] = useState<string | null>(null);
  const [as, setAs] = useState("");
  const services = useQuery({ ...trpc.addons.services.queryOptions(), enabled: isOpen, staleTime: Infinity });
  const quotas = useQuery({ ...trpc.quotas.forApp.queryOptions({ app: appName }), enabled: isOpen }).data;
  const isAtLimit = quotas ? quotas.addons.used >= quotas.addons.limit : false;
  const create = useMutation(
    trpc.addons.create.mutationOptions({
      onSuccess: async (addon) => {
        await queryClient.invalidateQueries({ queryKey: trpc.addons.list.queryKey({ app: appName }) });
        void queryClient.invalidateQueries({ queryKey: trpc.quotas.forApp.queryKey({ app: appName }) });
        toast.success(`Adding ${addon.name}`, `${addon.serviceLabel} is being provisioned; the app restarts with its URL when it is available.`);
        onOpenChange(false);
      },
    }),
  );

  function onOpenChange(open: boolean) {
    setIsOpen(open);
    if (!open) {
      setService(null);
      setPlan(null);
      setAs("");
      create.reset();
    }
  }

  const chosen: AddonService | undefined = services.data?.find((s) => s.name === (service ?? services.data?.[0]?.name));
  const chosenPlan = plan ?? chosen?.defaultPlan ?? null;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!chosen || !chosenPlan) return;
    create.mutate({ app: appName, service: chosen.name, plan: chosenPlan, as: as.trim() || null });
  }

  return (
    <Dialog open={isOpen} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" disabled={!!createReason} title={createReason ?? undefined}>
          <PlusIcon />
          Add-on
        </Button>
      </DialogTrigger>
      <DialogContent title="Add an add-on" description={`Provisioned in its own container and attached to ${appName}.`} className="max-w-lg">
        {services.isPending ? (
          <LoadingRows label="Loading services" rows={2} />
        ) : services.isError ? (
          <FieldError message={`Couldn't load the services: ${messageOf(services.error)}`} />
        ) : (
          <form onSubmit={onSubmit} noValidate className="space-y-5">
            <fieldset className="space-y-2">
              <legend className="mb-2 text-sm font-medium text-fg">Service</legend>
              <div className="grid gap-2 sm:grid-cols-2">
                {services.data.map((s) => (
                  <Choice
                    key={s.name}
                    name="addon-service"
                    value={s.name}
                    isChecked={chosen?.name === s.name}
                    onChange={() => {
                      setService(s.name);
                      setPlan(null);
                    }}
                    title={s.label}
                    detail={`${s.name} · sets ${s.defaultAttachment}_URL`}
                  />
                ))}
              </div>
            </fieldset>
            {chosen && (
              <fieldset className="space-y-2">
                <legend className="mb-2 text-sm font-medium text-fg">Plan</legend>
                <div className="grid gap-2">
                  {chosen.plans.map((p) => (
                    <Choice
                      key={p.name}
                      name="addon-plan"
                      value={p.name}
                      isChecked={chosenPlan === p.name}
                      onChange={() => setPlan(p.name)}
                      title={p.name}
                      detail={describePlan(p)}
                    />
                  ))}
                </div>
              </fieldset>
            )}
            <Field
              id="addon-as"
              label="Attachment name (optional)"
              hint={`The app gets ${as.trim() ? `${as.trim().toUpperCase()}_URL` : `${chosen?.defaultAttachment ?? "DATABASE"}_URL (or a color if that is taken)`}.`}
              error={errorFor(create.error, "as")}
            >
              {(props) => <CodeInput {...props} value={as} onChange={(e) => setAs(e.target.value.toUpperCase())} placeholder={chosen?.defaultAttachment} />}
            </Field>
            <FieldError message={formErrorOf(create.error, ["as"])} />
            {quotas && (
              <p className={cn("text-sm", isAtLimit ? "font-medium text-danger" : "text-muted")} aria-live="polite">
                {quotas.addons.used} of {quotas.addons.limit} add-ons used{quotas.owner.kind === "team" ? ` by team ${quotas.owner.name}` : ""}
                {isAtLimit ? ": destroy one to add another." : "."}
              </p>
            )}
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="ghost">Cancel</Button>
              </DialogClose>
              <Button type="submit" isPending={create.isPending} disabled={!chosen || !chosenPlan || isAtLimit}>
                {create.isPending ? "Adding…" : `Add ${chosen?.label ?? "add-on"} ${chosenPlan ?? ""}`}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

function Choice(props: { name: string; value: string; isChecked: boolean; onChange: () => void; title: string; detail: string }) {
  return (
    <label
      className={cn(
        "flex cursor-pointer items-start gap-3 rounded-md border px-3 py-2.5 text-sm has-focus-visible:outline-2 has-focus-visible:outline-ring",
        props.isChecked ? "border-ring bg-accent-soft" : "border-border hover:bg-surface-muted",
      )}
    >
      <input type="radio" name={props.name} value={props.value} checked={props.isChecked} onChange={props.onChange} className="mt-1 accent-current" />
      <span className="min-w-0">
        <span className="block font-medium text-fg">{props.title}</span>
        <span className="block text-muted">{props.detail}</span>
      </span>
    </label>
  );
}

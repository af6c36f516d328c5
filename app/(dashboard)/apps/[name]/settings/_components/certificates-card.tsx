"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf, messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { TrashIcon, UploadIcon } from "@/components/ui/icons";
import { inputClasses } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { LoadingRows } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import type { AppDetails } from "./types";

const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

/**
 * Heroku's SSL section: the app's HTTPS settings (redirect plain HTTP, HSTS) and the
 * certificates uploaded for its custom domains (`heroku certs:add` does the same), which
 * the router serves by SNI for every hostname of the app they cover.
 */
export function CertificatesCard({ app }: { app: AppDetails }) {
  const trpc = useTRPC();
  const certs = useQuery(trpc.certs.list.queryOptions({ app: app.name }));
  const reason = deniedReason(app.permissions, "certs:write");

  return (
    <Card id="certificates" aria-labelledby="certificates-title" className="scroll-mt-24">
      <CardHeader
        titleId="certificates-title"
        title="SSL certificates"
        description="The router serves your app over HTTPS. Upload a certificate for your custom domains; the default hostname uses the platform's certificate."
      />
      <HttpsSettings app={app} reason={reason} />
      {certs.isPending ? (
        <LoadingRows label="Loading certificates" rows={1} />
      ) : certs.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load certificates: ${messageOf(certs.error)}`} />
        </CardContent>
      ) : certs.data.length === 0 ? (
        <CardContent className="border-t border-border text-sm text-muted">
          <p className="font-medium text-fg">No certificates uploaded</p>
          <p>Custom domains are served with the platform&apos;s default certificate until you upload one that covers them.</p>
        </CardContent>
      ) : (
        <ul aria-label="Certificates" className="divide-y divide-border border-t border-border">
          {certs.data.map((c) => (
            <CertificateRow key={c.id} appName={app.name} cert={c} canRemove={!reason} />
          ))}
        </ul>
      )}
      <div className="border-t border-border">
        {!reason ? <UploadForm appName={app.name} /> : <p className="px-4 py-3 text-sm text-muted sm:px-5">{reason}</p>}
      </div>
    </Card>
  );
}

function HttpsSettings({ app, reason }: { app: AppDetails; reason: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const settings = useQuery(trpc.certs.https.queryOptions({ app: app.name }));
  const set = useMutation(
    trpc.certs.setHttps.mutationOptions({
      onSuccess: (next) => {
        queryClient.setQueryData(trpc.certs.https.queryKey({ app: app.name }), next);
        toast.success("HTTPS settings saved", "The router applies them within a few seconds.");
      },
    }),
  );
  const setAcm = useMutation(
    trpc.certs.setAcm.mutationOptions({
      onSuccess: (next) => {
        queryClient.setQueryData(trpc.certs.https.queryKey({ app: app.name }), next);
        void queryClient.invalidateQueries({ queryKey: trpc.certs.list.queryKey({ app: app.name }) });
        toast.success(next.acm ? "Automatic certificates on" : "Automatic certificates off", next.acm ? "Certificates for your custom domains are being requested." : undefined);
      },
    }),
  );
  if (!settings.data) return null;
  const rows = [
    { key: "sslRedirect" as const, label: "Redirect HTTP to HTTPS", hint: "Plain HTTP requests get a 308 redirect to the same URL over HTTPS." },
    { key: "hsts" as const, label: "HTTP Strict Transport Security", hint: "HTTPS responses tell browsers to use HTTPS only, for a year (Strict-Transport-Security)." },
  ];
  return (
    <CardContent className="space-y-3">
      {rows.map((r) => (
        <div key={r.key} className="flex items-start gap-3">
          <Switch
            id={`https-${r.key}`}
            checked={set.isPending && set.variables?.[r.key] !== undefined ? !!set.variables[r.key] : settings.data[r.key]}
            onCheckedChange={(checked) => set.mutate({ app: app.name, [r.key]: checked })}
            isPending={set.isPending && set.variables?.[r.key] !== undefined}
            disabled={!!reason}
            title={reason ?? undefined}
            aria-describedby={`https-${r.key}-hint`}
          />
          <div className="min-w-0">
            <label htmlFor={`https-${r.key}`} className="text-sm font-medium text-fg">
              {r.label}
            </label>
            <p id={`https-${r.key}-hint`} className="text-sm text-muted">
              {r.hint}
            </p>
          </div>
        </div>
      ))}
      <div className="flex items-start gap-3">
        <Switch
          id="https-acm"
          checked={setAcm.isPending ? !!setAcm.variables?.acm : settings.data.acm}
          onCheckedChange={(checked) => setAcm.mutate({ app: app.name, acm: checked })}
          isPending={setAcm.isPending}
          disabled={!!reason}
          title={reason ?? undefined}
          aria-describedby="https-acm-hint"
        />
        <div className="min-w-0">
          <label htmlFor="https-acm" className="text-sm font-medium text-fg">
            Automatic certificates (ACM)
          </label>
          <p id="https-acm-hint" className="text-sm text-muted">
            The platform gets a certificate for each custom domain from its ACME server and renews it before it expires. Point the domain&apos;s DNS at the router first.
          </p>
          {settings.data.acm && settings.data.acmDomains.length > 0 && (
            <ul aria-label="ACM status" className="mt-2 space-y-1">
              {settings.data.acmDomains.map((d) => (
                <li key={d.hostname} className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="font-mono text-fg">{d.hostname}</span>
                  <Badge tone={d.status === "cert issued" ? "success" : d.status === "failed" ? "danger" : "neutral"}>{d.status ?? "waiting"}</Badge>
                  {d.reason && <span className="text-muted">{d.reason}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <p className="text-sm text-muted">
        HTTPS port: <code className="font-mono text-fg">{settings.data.httpsPort}</code>
      </p>
      <FieldError message={set.error || setAcm.error ? `Couldn't save: ${messageOf(set.error ?? setAcm.error)}` : null} />
    </CardContent>
  );
}

type Cert = { id: string; name: string; names: string[]; domains: string[]; issuer: string; expiresAt: Date | string; caSigned: boolean; selfSigned: boolean; acmHostname: string | null };

function CertificateRow({ appName, cert, canRemove }: { appName: string; cert: Cert; canRemove: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isConfirming, setIsConfirming] = useState(false);
  const remove = useMutation(
    trpc.certs.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.certs.list.queryKey({ app: appName }) });
        setIsConfirming(false);
        toast.success(`Removed certificate ${cert.name}`);
      },
    }),
  );
  const daysLeft = Math.floor((new Date(cert.expiresAt).getTime() - Date.now()) / 86_400_000);
  return (
    <li aria-label={`Certificate ${cert.name}`} className="flex flex-wrap items-start justify-between gap-3 px-4 py-3 sm:px-5">
      <div className="min-w-0 space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-mono text-sm font-medium text-fg">{cert.names.join(", ")}</span>
          <Badge tone={cert.caSigned ? "success" : "warning"}>{cert.caSigned ? "Trusted" : cert.selfSigned ? "Self-signed" : "Not publicly trusted"}</Badge>
          {cert.acmHostname && <Badge tone="accent">ACM</Badge>}
          {daysLeft < 30 && <Badge tone="danger">Expires in {daysLeft} days</Badge>}
        </div>
        <p className="text-sm text-muted">
          {cert.name} · issued by {cert.issuer} · expires {day(cert.expiresAt)}
        </p>
        <p className="text-sm text-muted">
          Serves: <span className="font-mono break-all text-fg">{cert.domains.join(", ") || "none of the app's domains"}</span>
        </p>
      </div>
      {canRemove && !cert.acmHostname && (
        <Button variant="ghost" size="sm" aria-label={`Remove certificate ${cert.name}`} className="hover:text-danger" onClick={() => setIsConfirming(true)}>
          <TrashIcon />
          <span className="hidden sm:inline">Remove</span>
        </Button>
      )}
      <Dialog open={isConfirming} onOpenChange={(open) => !remove.isPending && setIsConfirming(open)}>
        <DialogContent title={`Remove certificate ${cert.name}?`} description={`${cert.domains.join(", ") || "Its domains"} will be served with the platform's default certificate, which browsers will not accept for them.`}>
          <FieldError message={remove.error ? messageOf(remove.error) : null} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost" disabled={remove.isPending}>
                Cancel
              </Button>
            </DialogClose>
            <Button variant="danger" isPending={remove.isPending} onClick={() => remove.mutate({ app: appName, name: cert.name })}>
              Remove certificate
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </li>
  );
}

function PemField({ id, label, hint, value, onChange, error }: { id: string; label: string; hint: string; value: string; onChange: (v: string) => void; error: string | null }) {
  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (file) onChange(await file.text());
  }
  return (
    <div className="min-w-0 flex-1 space-y-1">
      <Label htmlFor={id}>{label}</Label>
      <textarea
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={4}
        spellCheck={false}
        autoComplete="off"
        placeholder="-----BEGIN …-----"
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
        className={cn(inputClasses, "h-auto py-2 font-mono text-xs")}
      />
      <input type="file" accept=".pem,.crt,.cer,.key,text/plain" aria-label={`${label} from a file`} onChange={onFile} className="block text-xs text-muted file:mr-2 file:rounded file:border file:border-border file:bg-surface file:px-2 file:py-1 file:text-xs" />
      {error ? <FieldError id={`${id}-hint`} message={error} /> : <p id={`${id}-hint`} className="text-xs text-muted">{hint}</p>}
    </div>
  );
}

function UploadForm({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [chain, setChain] = useState("");
  const [key, setKey] = useState("");
  const add = useMutation(
    trpc.certs.add.mutationOptions({
      onSuccess: async (cert) => {
        await queryClient.invalidateQueries({ queryKey: trpc.certs.list.queryKey({ app: appName }) });
        setChain("");
        setKey("");
        toast.success(`Uploaded certificate ${cert.name}`, `Serving ${cert.domains.join(", ")} over HTTPS.`);
      },
    }),
  );
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    add.mutate({ app: appName, certificateChain: chain, privateKey: key });
  }
  const reset = () => add.error && add.reset();
  const formError = formErrorOf(add.error, ["certificate_chain", "private_key"]);
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Upload a certificate" className="space-y-3 px-4 py-3 sm:px-5">
      <div className="flex flex-col gap-3 md:flex-row">
        <PemField id="cert-chain" label="Certificate chain" hint="PEM: your domain's certificate first, then any intermediates." value={chain} onChange={(v) => (setChain(v), reset())} error={errorFor(add.error, "certificate_chain") ?? null} />
        <PemField id="cert-key" label="Private key" hint="PEM, without a passphrase. Stored encrypted; never shown again." value={key} onChange={(v) => (setKey(v), reset())} error={errorFor(add.error, "private_key") ?? null} />
      </div>
      <FieldError message={formError} />
      <Button type="submit" variant="secondary" isPending={add.isPending} disabled={!chain.trim() || !key.trim()}>
        {!add.isPending && <UploadIcon />}
        Upload certificate
      </Button>
    </form>
  );
}

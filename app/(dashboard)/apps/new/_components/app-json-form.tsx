"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardFooter } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { SegmentedControl } from "@/components/ui/segmented-control";
import { OwnerField, useOwner } from "./owner-field";

type SourceKind = "upload" | "url";
const ARCHIVE = /\.(tar\.gz|tgz|tar)$/i;

/** `KEY=value` per line (blank lines and # comments skipped) → config vars, or the first bad line. */
export function parseConfigLines(text: string): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) return { error: `Line ${i + 1}: write KEY=value (letters, digits and underscores before the =).` };
    env[m[1]!] = m[2]!;
  }
  return { env };
}

async function uploadArchive(file: File): Promise<string> {
  const res = await fetch("/api/app-setups/sources", {
    method: "POST",
    headers: { "Content-Type": /\.tar$/i.test(file.name) ? "application/x-tar" : "application/gzip" },
    body: file,
  });
  const body = (await res.json().catch(() => null)) as { id?: string; error?: { message?: string } } | null;
  if (res.status === 201 && body?.id) return body.id;
  throw new Error(body?.error?.message ?? (res.status === 413 ? "That archive is too big to upload." : `The upload failed (HTTP ${res.status}).`));
}

/**
 * Heroku's "deploy from app.json": an archive of the app (uploaded, or a tarball URL the
 * platform fetches) whose app.json says what the app needs. The setup's page then shows each
 * step as it runs.
 */
export function AppJsonForm({ defaultTeam }: { defaultTeam: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const owner = useOwner(defaultTeam);
  const [kind, setKind] = useState<SourceKind>("upload");
  const [file, setFile] = useState<File | null>(null);
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);
  const [isUploading, setIsUploading] = useState(false);
  const create = useMutation(trpc.appSetups.create.mutationOptions({ onSuccess: (setup) => router.push(`/app-setups/${setup.id}`) }));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim() || null;
    const config = parseConfigLines(String(form.get("env") ?? ""));
    if ("error" in config) return setLocalError({ field: "env", message: config.error });
    setLocalError(null);
    create.reset();
    let source: { url: string } | { uploadId: string };
    if (kind === "url") {
      const url = String(form.get("url") ?? "").trim();
      if (!url) return setLocalError({ field: "url", message: "Enter the URL of a .tar.gz of your app." });
      source = { url };
    } else {
      if (!file) return setLocalError({ field: "file", message: "Choose a .tar.gz, .tgz or .tar of your app." });
      setIsUploading(true);
      try {
        source = { uploadId: await uploadArchive(file) };
      } catch (err) {
        return setLocalError({ field: "file", message: (err as Error).message });
      } finally {
        setIsUploading(false);
      }
    }
    create.mutate({ name, team: owner.team, source, env: config.env });
  }

  const fieldError = (field: string) => (localError?.field === field ? localError.message : undefined);
  const isBusy = isUploading || create.isPending;
  return (
    <Card>
      <form onSubmit={onSubmit} noValidate aria-label="Create an app from app.json">
        <CardContent className="space-y-5 py-5">
          <div className="space-y-1.5">
            <span className="text-sm font-medium text-fg">
              Source
            </span>
            <div>
              <SegmentedControl
                label="Source"
                options={[
                  { value: "upload", label: "Upload a .tar.gz" },
                  { value: "url", label: "Tarball URL" },
                ]}
                value={kind}
                onChange={(v) => {
                  setKind(v);
                  setLocalError(null);
                }}
              />
            </div>
            <p className="text-sm text-muted">
              The archive holds your app with an <code className="font-mono text-[13px]">app.json</code> at its root (or in its one top-level folder, as GitHub&apos;s tarballs have it).
            </p>
          </div>
          {kind === "upload" ? (
            <Field id="setup-file" label="Archive" error={fieldError("file")}>
              {(props) => (
                <Input
                  {...props}
                  type="file"
                  name="file"
                  accept=".tar.gz,.tgz,.tar,application/gzip,application/x-tar"
                  onChange={(e) => {
                    const chosen = e.target.files?.[0] ?? null;
                    setFile(chosen);
                    setLocalError(chosen && !ARCHIVE.test(chosen.name) ? { field: "file", message: `${chosen.name} is not a .tar.gz, .tgz or .tar archive.` } : null);
                  }}
                />
              )}
            </Field>
          ) : (
            <Field id="setup-url" label="Tarball URL" hint="Fetched by Slipway from a public address, like https://github.com/you/app/tarball/main." error={fieldError("url") ?? errorFor(create.error, "source.url") ?? errorFor(create.error, "source_blob.url")}>
              {(props) => <Input {...props} type="url" name="url" placeholder="https://…/app.tar.gz" autoComplete="off" spellCheck={false} />}
            </Field>
          )}
          <Field
            id="setup-name"
            label={<>App name <span className="font-normal text-muted">(optional)</span></>}
            hint="Leave it blank and we'll pick one. app.json's own name is only a description."
            error={errorFor(create.error, "name")}
          >
            {(props) => <Input {...props} name="name" autoComplete="off" spellCheck={false} maxLength={30} />}
          </Field>
          <OwnerField state={owner} error={errorFor(create.error, "team")} />
          <Field
            id="setup-env"
            label={<>Config vars <span className="font-normal text-muted">(optional)</span></>}
            hint="KEY=value, one per line: values for app.json's required vars, or to replace its values. Generated secrets need nothing here."
            error={fieldError("env")}
          >
            {(props) => (
              <textarea
                {...props}
                name="env"
                rows={3}
                spellCheck={false}
                className="block w-full rounded-md border border-border-strong bg-surface px-3 py-2 font-mono text-sm text-fg shadow-xs placeholder:text-muted focus-visible:outline-offset-0"
                placeholder="API_TOKEN=…"
              />
            )}
          </Field>
          <FieldError message={formErrorOf(create.error, ["name", "team", "source.url", "source_blob.url"])} />
        </CardContent>
        <CardFooter>
          <Button variant="ghost" onClick={() => router.back()}>
            Cancel
          </Button>
          <Button type="submit" isPending={isBusy} disabled={!owner.isReady}>
            {isUploading ? "Uploading…" : create.isPending ? "Starting…" : "Create app from app.json"}
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}

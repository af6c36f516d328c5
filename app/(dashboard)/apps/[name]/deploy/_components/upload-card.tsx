"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type DragEvent } from "react";
import { BuildOutput } from "@/components/build-output";
import { formatBytes } from "@/components/build-types";
import { useTRPC } from "@/components/trpc-provider";
import type { BuildEnd } from "@/components/use-build-output";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { CodeLine } from "@/components/ui/code-block";
import { cn } from "@/components/ui/cn";
import { ArchiveIcon, UploadIcon } from "@/components/ui/icons";
import { FieldError } from "@/components/ui/field-error";
import { useToast } from "@/components/ui/toast";
import { useSourceUpload } from "./use-source-upload";
import { useAppPermissions } from "@/components/use-app-permissions";

const ARCHIVE = /\.(tar\.gz|tgz|tar)$/i;

/** Deploy without git: upload a .tar.gz of the source, then watch its build right here. */
export function UploadCard({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { state, upload, cancel, reset } = useSourceUpload(appName);
  const [file, setFile] = useState<File | null>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  const [end, setEnd] = useState<BuildEnd | null>(null);
  const deployReason = useAppPermissions(appName).denied("code:deploy");

  const buildId = state.phase === "uploaded" ? state.buildId : null;
  useEffect(() => {
    if (buildId) void queryClient.invalidateQueries({ queryKey: trpc.builds.pathKey() });
  }, [buildId, queryClient, trpc]);

  function choose(chosen: File | undefined) {
    if (!chosen) return;
    if (!ARCHIVE.test(chosen.name)) {
      setPickError(`${chosen.name} is not a .tar.gz, .tgz or .tar archive.`);
      return;
    }
    setPickError(null);
    setFile(chosen);
    reset();
  }

  function startOver() {
    reset();
    setFile(null);
    setEnd(null);
  }

  function onEnd(result: BuildEnd) {
    setEnd(result);
    if (result.status === "succeeded") {
      toast.success(result.release ? `Released v${result.release.version}` : "Build succeeded", `${appName} is running the new code.`);
    }
  }

  return (
    <Card aria-labelledby="upload-title">
      <CardHeader
        titleId="upload-title"
        title={
          <span className="flex items-center gap-2">
            <UploadIcon className="text-muted" /> Upload source
          </span>
        }
        description="No git remote? Upload a .tar.gz of your app's source; it is built and released like a push."
      />
      <CardContent className="space-y-4">
        {buildId && file ? (
          <>
            <FileRow file={file} note="uploaded" />
            <BuildOutput key={buildId} appName={appName} buildId={buildId} onEnd={onEnd} />
            {end && (
              <Button variant="secondary" onClick={startOver}>
                <UploadIcon /> Upload another archive
              </Button>
            )}
          </>
        ) : (
          <>
            {file ? (
              <div className="space-y-3 rounded-lg border border-border p-3 sm:p-4">
                <FileRow file={file} />
                {state.phase === "uploading" ? (
                  <UploadProgress loaded={state.loaded} total={state.total} onCancel={cancel} />
                ) : (
                  <div className="flex flex-wrap gap-2">
                    <Button onClick={() => upload(file)}>
                      <UploadIcon /> Deploy {file.name}
                    </Button>
                    <Button variant="ghost" onClick={startOver}>
                      Choose another file
                    </Button>
                  </div>
                )}
              </div>
            ) : deployReason ? (
              <p className="text-sm text-muted">{deployReason}</p>
            ) : (
              <DropZone onFile={choose} />
            )}
            <FieldError message={pickError ?? (state.phase === "failed" ? state.message : null)} />
            <div className="space-y-1.5">
              <p className="text-sm text-muted">To make an archive of your repository&apos;s latest commit:</p>
              <CodeLine value="git archive --format=tar.gz -o app.tar.gz HEAD" label="git archive command" prompt />
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}

function DropZone({ onFile }: { onFile: (file: File | undefined) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [isDragging, setIsDragging] = useState(false);

  function onDragOver(event: DragEvent) {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setIsDragging(true);
  }
  function onDragLeave(event: DragEvent) {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setIsDragging(false);
  }
  function onDrop(event: DragEvent) {
    event.preventDefault();
    setIsDragging(false);
    onFile(event.dataTransfer.files[0]);
  }

  return (
    <div
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
      className={cn(
        "flex flex-col items-center gap-3 rounded-lg border-2 border-dashed px-4 py-8 text-center transition-colors",
        isDragging ? "border-primary bg-accent-soft" : "border-border-strong",
      )}
    >
      <span aria-hidden="true" className="flex size-11 items-center justify-center rounded-full bg-accent-soft text-link [&_svg]:size-5">
        <ArchiveIcon />
      </span>
      <p className="text-sm text-muted">
        {isDragging ? "Drop the archive to choose it" : "Drag a .tar.gz (or .tar) archive here, or"}
      </p>
      <Button variant="secondary" onClick={() => input.current?.click()}>
        Choose archive…
      </Button>
      <input
        ref={input}
        type="file"
        accept=".tar.gz,.tgz,.tar,application/gzip,application/x-gzip,application/x-tar"
        aria-label="Source archive"
        tabIndex={-1}
        className="sr-only"
        onChange={(e) => {
          onFile(e.target.files?.[0]);
          e.target.value = "";
        }}
      />
    </div>
  );
}

function FileRow({ file, note }: { file: File; note?: string }) {
  return (
    <p className="flex min-w-0 items-center gap-2 text-sm">
      <ArchiveIcon className="shrink-0 text-muted" />
      <span className="min-w-0 truncate font-medium text-fg">{file.name}</span>
      <span className="shrink-0 text-muted tabular-nums">
        {formatBytes(file.size)}
        {note ? ` · ${note}` : ""}
      </span>
    </p>
  );
}

function UploadProgress({ loaded, total, onCancel }: { loaded: number; total: number; onCancel: () => void }) {
  const percent = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
  return (
    <div className="flex items-center gap-3">
      <div className="min-w-0 flex-1 space-y-1.5">
        <div
          role="progressbar"
          aria-label="Upload progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          className="h-1.5 overflow-hidden rounded-full bg-surface-muted"
        >
          <div className="h-full rounded-full bg-primary transition-[width] duration-200" style={{ width: `${percent}%` }} />
        </div>
        <p className="text-xs text-muted tabular-nums">
          Uploading… {percent}% · {formatBytes(loaded)} of {formatBytes(total)}
        </p>
      </div>
      <Button variant="ghost" size="sm" onClick={onCancel}>
        Cancel
      </Button>
    </div>
  );
}

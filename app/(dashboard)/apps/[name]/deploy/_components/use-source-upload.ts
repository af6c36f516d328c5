"use client";

import { useCallback, useEffect, useRef, useState } from "react";

export type UploadState =
  | { phase: "idle" }
  | { phase: "uploading"; loaded: number; total: number }
  | { phase: "uploaded"; buildId: string }
  | { phase: "failed"; message: string };

type ErrorBody = { error?: { code?: string; message?: string } };

function messageFor(status: number, body: ErrorBody | null): string {
  if (body?.error?.message) return body.error.message;
  if (status === 401) return "Your session has ended. Sign in again, then upload.";
  if (status === 413) return "That archive is too big to upload.";
  if (status === 404) return "This app no longer exists.";
  return `The upload failed (HTTP ${status}).`;
}

/**
 * Sends a source archive to POST /api/apps/<app>/builds as the raw request body. XHR
 * rather than fetch: it reports upload progress, which matters for big archives.
 * Leaving the page aborts an upload in flight.
 */
export function useSourceUpload(appName: string) {
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  const request = useRef<XMLHttpRequest | null>(null);

  useEffect(() => () => request.current?.abort(), []);

  const upload = useCallback(
    (file: File) => {
      request.current?.abort();
      const xhr = new XMLHttpRequest();
      request.current = xhr;
      setState({ phase: "uploading", loaded: 0, total: file.size });
      xhr.upload.onprogress = (e) => setState({ phase: "uploading", loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
      xhr.onload = () => {
        request.current = null;
        let body: (ErrorBody & { id?: string }) | null = null;
        try {
          body = JSON.parse(xhr.responseText) as ErrorBody & { id?: string };
        } catch {
          body = null; // a proxy's HTML error page: fall back to the status
        }
        if (xhr.status === 201 && body?.id) setState({ phase: "uploaded", buildId: body.id });
        else setState({ phase: "failed", message: messageFor(xhr.status, body) });
      };
      xhr.onerror = () => {
        request.current = null;
        setState({ phase: "failed", message: "Couldn't reach Slipway. Check your connection and try again." });
      };
      xhr.onabort = () => {
        // An upload replaced by a newer one must not reset the newer one's progress.
        if (request.current !== xhr) return;
        request.current = null;
        setState((s) => (s.phase === "uploading" ? { phase: "idle" } : s));
      };
      xhr.open("POST", `/api/apps/${encodeURIComponent(appName)}/builds`);
      xhr.setRequestHeader("Content-Type", /\.tar$/i.test(file.name) ? "application/x-tar" : "application/gzip");
      xhr.send(file);
    },
    [appName],
  );

  const cancel = useCallback(() => request.current?.abort(), []);
  const reset = useCallback(() => {
    request.current?.abort();
    setState({ phase: "idle" });
  }, []);

  return { state, upload, cancel, reset };
}

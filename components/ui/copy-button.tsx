"use client";

import { useEffect, useState } from "react";
import { Button, type ButtonSize, type ButtonVariant } from "@/components/ui/button";
import { CheckIcon, CopyIcon } from "@/components/ui/icons";

/** Copies `value`; says "Copied" for a moment. `label` names what is copied for screen readers. */
export function CopyButton({
  value,
  label,
  variant = "secondary",
  size = "sm",
  showText = true,
}: {
  value: string;
  label: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  showText?: boolean;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      // Clipboard access needs a secure context or permission; say so instead of pretending.
      setState("failed");
    }
  }

  const text = state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy";
  return (
    <Button variant={variant} size={size} onClick={copy} aria-label={showText ? undefined : `${text}: ${label}`} title={`Copy ${label}`}>
      {state === "copied" ? <CheckIcon /> : <CopyIcon />}
      {showText ? <span>{text}</span> : null}
      <span className="sr-only" aria-live="polite">
        {state === "copied" ? `${label} copied to clipboard` : ""}
      </span>
    </Button>
  );
}

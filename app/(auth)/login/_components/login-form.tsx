"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { lockoutMessage, retryAfterOf } from "@/server/auth/lockout-message";

/** Only same-site paths: never bounce a person to another host after sign-in. */
function safeCallback(raw: string | null): string {
  if (!raw) return "/apps";
  try {
    const url = new URL(raw, window.location.origin);
    return url.origin === window.location.origin && !url.pathname.startsWith("/login") ? url.pathname + url.search : "/apps";
  } catch {
    return "/apps";
  }
}

/** What to say about a refused sign-in (next-auth's `error`, and its HTTP status when known). */
function signInErrorMessage(error: string | null | undefined, status?: number): string {
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== null) return lockoutMessage(retryAfter);
  if (status === 401 || error === "CredentialsSignin") return "Email or password is incorrect.";
  return "Couldn't sign in. Try again.";
}

export function LoginForm({ canSignUp }: { canSignUp: boolean }) {
  const router = useRouter();
  const searchParams = useSearchParams();
  const [error, setError] = useState<string | null>(() => {
    const given = searchParams.get("error");
    return given ? (retryAfterOf(given) !== null ? signInErrorMessage(given) : "Sign in failed. Check your email and password.") : null;
  });
  const [isPending, setIsPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsPending(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    if (!result || result.error) {
      setIsPending(false);
      setError(signInErrorMessage(result?.error, result?.status));
      return;
    }
    router.replace(safeCallback(searchParams.get("callbackUrl")));
    router.refresh();
  }

  return (
    <Card>
      <CardContent className="space-y-5 py-6 sm:px-6">
        <div className="space-y-1">
          <h1 className="text-xl font-semibold text-fg">Sign in to Slipway</h1>
          <p className="text-sm text-muted">Deploy and run your apps.</p>
        </div>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <Field id="email" label="Email">
            {(props) => <Input {...props} name="email" type="email" autoComplete="email" required autoFocus />}
          </Field>
          <Field id="password" label="Password">
            {(props) => <Input {...props} name="password" type="password" autoComplete="current-password" required />}
          </Field>
          <FieldError message={error} />
          <Button type="submit" className="w-full" isPending={isPending}>
            {isPending ? "Signing in…" : "Sign in"}
          </Button>
        </form>
        {canSignUp ? (
          <p className="text-center text-sm text-muted">
            New to Slipway?{" "}
            <Link href="/signup" className="font-medium text-link hover:underline">
              Create an account
            </Link>
          </p>
        ) : (
          <p className="text-center text-sm text-muted">New accounts are created through team invitations.</p>
        )}
      </CardContent>
    </Card>
  );
}

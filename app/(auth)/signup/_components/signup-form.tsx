"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { lockoutMessage, retryAfterOf } from "@/server/auth/lockout-message";

export function SignupForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const [signInError, setSignInError] = useState<{ message: string; isExisting: boolean } | null>(null);
  const [isSigningIn, setIsSigningIn] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    setSignInError(null);
    try {
      await signUp.mutateAsync({ email, password, name: name || undefined });
    } catch {
      return; // shown next to the fields from signUp.error
    }
    // The answer is the same whether the address was new or not (nothing tells them apart);
    // signing in with the password just given works for a new account, and for an existing
    // one only with its own password.
    setIsSigningIn(true);
    const result = await signIn("credentials", { email, password, redirect: false });
    if (!result || result.error) {
      setIsSigningIn(false);
      const retryAfter = retryAfterOf(result?.error);
      setSignInError(
        retryAfter !== null
          ? { message: lockoutMessage(retryAfter), isExisting: false }
          : { message: "Couldn't sign you in with this password. If this address already has an account, sign in with that account's password.", isExisting: true },
      );
      return;
    }
    router.replace("/apps");
    router.refresh();
  }

  const isPending = signUp.isPending || isSigningIn;
  return (
    <Card>
      <CardContent className="space-y-5 py-6 sm:px-6">
        <div className="space-y-1">
          <h1 className="text-xl font-semibold text-fg">Create your account</h1>
          <p className="text-sm text-muted">Push code with git; Slipway builds and runs it.</p>
        </div>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <Field id="name" label={<>Name <span className="font-normal text-muted">(optional)</span></>}>
            {(props) => <Input {...props} name="name" autoComplete="name" />}
          </Field>
          <Field id="email" label="Email" error={errorFor(signUp.error, "email")}>
            {(props) => <Input {...props} name="email" type="email" autoComplete="email" required />}
          </Field>
          <Field id="password" label="Password" hint="At least 8 characters." error={errorFor(signUp.error, "password")}>
            {(props) => <Input {...props} name="password" type="password" autoComplete="new-password" required minLength={8} />}
          </Field>
          <FieldError message={signInError?.message ?? formErrorOf(signUp.error, ["email", "password", "name"])} />
          {signInError?.isExisting && (
            <p className="text-sm">
              <Link href="/login" className="font-medium text-link hover:underline">
                Go to sign in
              </Link>
            </p>
          )}
          <Button type="submit" className="w-full" isPending={isPending}>
            {isPending ? "Creating account…" : "Create account"}
          </Button>
        </form>
        <p className="text-center text-sm text-muted">
          Already have an account?{" "}
          <Link href="/login" className="font-medium text-link hover:underline">
            Sign in
          </Link>
        </p>
      </CardContent>
    </Card>
  );
}

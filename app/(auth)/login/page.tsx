import type { Metadata } from "next";
import { Suspense } from "react";
import { isSignUpOpen } from "@/server/services/users";
import { LoginForm } from "./_components/login-form";

export const metadata: Metadata = { title: "Sign in" };
// SLIPWAY_SIGNUP is read when the page is asked for, not when it is built.
export const dynamic = "force-dynamic";

export default function LoginPage() {
  return (
    <Suspense>
      <LoginForm canSignUp={isSignUpOpen()} />
    </Suspense>
  );
}

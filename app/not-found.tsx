import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

export default function NotFound() {
  return (
    <div className="flex min-h-[60dvh] flex-col items-center justify-center px-4 text-center">
      <p className="font-mono text-sm font-semibold text-link">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-fg">Nothing here</h1>
      <p className="mt-2 max-w-md text-sm text-muted">
        This page doesn&apos;t exist, or it belongs to an app or team you don&apos;t have access to.
      </p>
      <Link href="/apps" className={buttonClasses({ className: "mt-6" })}>
        Back to your apps
      </Link>
    </div>
  );
}

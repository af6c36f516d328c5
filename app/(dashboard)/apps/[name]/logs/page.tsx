import type { Metadata } from "next";
import { LogDrainsCard } from "./_components/log-drains-card";
import { LogViewer } from "./_components/log-viewer";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Logs · ${decodeURIComponent((await params).name)}` };
}

export default async function AppLogsPage({ params }: Props) {
  const appName = decodeURIComponent((await params).name);
  return (
    <div className="space-y-6">
      <LogViewer appName={appName} />
      <LogDrainsCard appName={appName} />
    </div>
  );
}

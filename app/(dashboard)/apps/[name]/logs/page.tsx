import type { Metadata } from "next";
import { LogViewer } from "./_components/log-viewer";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Logs · ${decodeURIComponent((await params).name)}` };
}

export default async function AppLogsPage({ params }: Props) {
  const appName = decodeURIComponent((await params).name);
  return <LogViewer appName={appName} />;
}

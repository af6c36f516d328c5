import type { Metadata } from "next";
import { AppMetrics } from "./_components/app-metrics";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Metrics · ${decodeURIComponent((await params).name)}` };
}

export default async function AppMetricsPage({ params }: Props) {
  return <AppMetrics appName={decodeURIComponent((await params).name)} />;
}

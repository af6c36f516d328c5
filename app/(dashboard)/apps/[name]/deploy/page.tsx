import type { Metadata } from "next";
import { AppDeploy } from "./_components/app-deploy";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Deploy · ${decodeURIComponent((await params).name)}` };
}

export default async function AppDeployPage({ params }: Props) {
  return <AppDeploy appName={decodeURIComponent((await params).name)} />;
}

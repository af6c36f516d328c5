import type { Metadata } from "next";
import { ReleaseList } from "../_components/release-list";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Activity · ${decodeURIComponent((await params).name)}` };
}

export default async function AppActivityPage({ params }: Props) {
  return <ReleaseList appName={decodeURIComponent((await params).name)} />;
}

import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Retries" what="This page will show each queue's retry tiers with live counts and next due times." />;
}

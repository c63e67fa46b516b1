import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Queues" what="This page will list every queue with depth, rates and consumers, and let you browse, purge and move messages." />;
}

import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Routing" what="This page will draw exchanges, queues and bindings as a graph and test where a routing key goes." />;
}

import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Exchanges" what="This page will list exchanges with their type, flags, rates and bindings." />;
}

import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Admin" what="This page will manage users, permissions, policies and the audit log." />;
}

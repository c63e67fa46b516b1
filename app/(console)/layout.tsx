import type { ReactNode } from 'react';
import { AuthGate } from '../_components/auth-gate';
import { Nav } from '../_components/nav';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <AuthGate>
      <div className="shell">
        <Nav />
        <main className="page">{children}</main>
      </div>
    </AuthGate>
  );
}

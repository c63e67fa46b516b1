import type { ReactNode } from 'react';
import { AuthGate } from '../_components/auth-gate';
import { Nav } from '../_components/nav';
import { StaleBanner } from '../_components/stale-banner';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <AuthGate>
      <a href="#main" className="skip-link">
        Skip to main content
      </a>
      <div className="shell">
        <Nav />
        <main className="page" id="main" tabIndex={-1}>
          <StaleBanner />
          {children}
        </main>
      </div>
    </AuthGate>
  );
}

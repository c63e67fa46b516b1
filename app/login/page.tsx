import { Suspense } from 'react';
import { SignInForm } from './sign-in-form';

export default function LoginPage() {
  return (
    <main className="login">
      <h1>Warren</h1>
      <Suspense fallback={<p role="status">Loading…</p>}>
        <SignInForm />
      </Suspense>
    </main>
  );
}

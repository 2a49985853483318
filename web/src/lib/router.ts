import { useEffect, useState } from 'preact/hooks';

/** The gateway serves the console under /dashboard/ and answers every /dashboard/* path with the shell. */
export const BASE = '/dashboard';

function current(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path.replace(/\/+$/, '') || '/';
}

/** The path below /dashboard, kept in step with the back and forward buttons. */
export function usePath(): string {
  const [path, setPath] = useState(current);
  useEffect(() => {
    const update = () => setPath(current());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

export function navigate(to: string): void {
  history.pushState(null, '', BASE + to);
  dispatchEvent(new PopStateEvent('popstate'));
  scrollTo(0, 0);
}

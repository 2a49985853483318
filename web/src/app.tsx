import { CustomerRoot } from './customer/customer-root';
import { usePath } from './lib/router';
import { OperatorRoot } from './operator/operator-root';

/** Two consoles on one page: customers at /dashboard/, operators at /dashboard/operator. */
export function App() {
  const path = usePath();
  if (path === '/operator' || path.startsWith('/operator/')) return <OperatorRoot path={path} />;
  return <CustomerRoot path={path} />;
}

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CustomerApi } from '../api/customer';
import type { Me } from '../api/types';

export interface CustomerContextValue {
  api: CustomerApi;
  me: Me;
  reloadMe: () => Promise<void>;
}

export const CustomerContext = createContext<CustomerContextValue | null>(null);

export function useCustomer(): CustomerContextValue {
  const value = useContext(CustomerContext);
  if (!value) throw new Error('useCustomer outside the customer console');
  return value;
}

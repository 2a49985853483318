import { afterAll, beforeAll } from 'vitest';

/**
 * Something one test file shares: opened before its first test, closed after its last. What is returned
 * stands for it in the tests and hooks, not while the file is being collected (it is not open yet).
 */
export function fileScoped<T extends object>(what: string, open: () => Promise<{ value: T; close(): Promise<void> }>): T {
  let opened: { value: T; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => {
    await opened?.close();
  });
  const value = (): T => {
    if (!opened) throw new Error(`${what} opens in beforeAll`);
    return opened.value;
  };
  return new Proxy({} as T, {
    get: (_, key) => {
      const target = value();
      const member: unknown = Reflect.get(target, key);
      return typeof member === 'function' ? member.bind(target) : member;
    },
    has: (_, key) => Reflect.has(value(), key),
    ownKeys: () => Reflect.ownKeys(value()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(value(), key),
  });
}

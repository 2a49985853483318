import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a fixed loopback port in front of a real server, that a test can stop (connections
 * cut, new ones refused, as when PostgreSQL goes down) and start again on the same port.
 */
export async function createTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;

  function listen(): Promise<void> {
    server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve) =>
      server!.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      }),
    );
  }

  await listen();
  return {
    get port() {
      return port;
    },
    /** Refuses new connections and cuts every open one. */
    async stop() {
      const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closing;
      server = null;
    },
    start: listen,
  };
}

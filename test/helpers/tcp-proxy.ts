import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a fixed loopback port in front of a real server, that a test can stop (connections
 * cut, new ones refused, as when PostgreSQL goes down) and start again on the same port, or stall
 * (connections stay open and new ones are accepted, but no byte passes either way, as when PostgreSQL
 * hangs or a network path goes silent) and resume.
 */
export async function createTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  let stalled = false;

  function join(client: Socket) {
    const upstream = connect(target.port, target.host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      if (stalled) from.pause();
      from.on('data', (chunk) => to.write(chunk));
      from.on('end', () => to.end());
      from.on('close', () => sockets.delete(from));
      from.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  function listen(): Promise<void> {
    server = createServer(join);
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
    /** Every byte stops where it is, both ways, on open and new connections; nothing is closed. */
    stall() {
      stalled = true;
      for (const s of sockets) s.pause();
    },
    /** What was held passes on, and traffic flows again. */
    resume() {
      stalled = false;
      for (const s of sockets) s.resume();
    },
    /** Open connections through the proxy (each counts its client and its upstream side once). */
    get connections() {
      return sockets.size / 2;
    },
  };
}

// A TCP proxy in front of a real server that integration tests can "crash" and bring back, so a
// client's recovery is measured without stopping the shared server other tests use.
import net from "node:net";

export interface OutageProxy {
  /** `host:port` clients connect to. */
  readonly address: string;
  readonly port: number;
  /** Connections accepted while down (each reset at once): a client's reconnection attempts. */
  readonly refusedWhileDown: number;
  /** Accept times (ms since epoch) of the connections refused while down. */
  readonly refusedAtMs: readonly number[];
  /** Like a kill -9 of the server: every open connection is reset, new ones are reset on accept. */
  down(): void;
  /** The server answers again (through the proxy). */
  up(): void;
  close(): Promise<void>;
}

/** Listens on `listenPort` (default: a free one) on loopback and forwards every connection to `target` (`host:port`). */
export async function startOutageProxy(target: string, listenPort = 0): Promise<OutageProxy> {
  const [targetHost = "127.0.0.1", targetPort = ""] = target.split(":");
  const sockets = new Set<net.Socket>();
  const refusedAtMs: number[] = [];
  let isDown = false;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // A reset peer is the point of this proxy; the error is expected.
    socket.on("error", () => socket.destroy());
  };

  const server = net.createServer((client) => {
    track(client);
    if (isDown) {
      refusedAtMs.push(Date.now());
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(Number(targetPort), targetHost);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listenPort, "127.0.0.1", resolve);
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    address: `127.0.0.1:${port}`,
    port,
    get refusedWhileDown() {
      return refusedAtMs.length;
    },
    refusedAtMs,
    down() {
      isDown = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    up() {
      isDown = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

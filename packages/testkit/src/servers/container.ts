import { ServerStartError } from './errors.js';
import type { ServerControl } from './handle.js';
import { pollUntil } from './poll.js';
import { freePort } from './ports.js';
import { track } from './registry.js';

export interface ContainerSpec {
  /** Server name for messages, e.g. "redis-server". */
  name: string;
  image: string;
  containerPort: number;
  command: string[];
  environment?: Record<string, string>;
  /** Files written into the container before it starts (a TLS server's certificate and key). */
  files?: readonly { readonly target: string; readonly content: string }[];
  probe(host: string, port: number, timeoutMs: number): Promise<boolean>;
  readyTimeoutMs?: number;
}

export interface ContainerServer extends ServerControl {
  readonly host: string;
  readonly port: number;
}

/**
 * Runs a server image through testcontainers (loaded only here, so local runs never pay for
 * it). The container port is bound to a host port we choose, so restart() keeps the port;
 * kill/pause/resume go through the container runtime. Containers left behind by a crashed
 * test process are removed by testcontainers' own reaper.
 */
export async function startContainer(spec: ContainerSpec): Promise<ContainerServer> {
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  const hostPort = await freePort();
  let builder = new GenericContainer(spec.image)
    .withExposedPorts({ container: spec.containerPort, host: hostPort })
    .withCommand(spec.command);
  if (spec.environment) builder = builder.withEnvironment(spec.environment);
  if (spec.files) {
    // Readable by the image's unprivileged server user; these are throwaway test keys.
    const files = spec.files.map(({ target, content }) => ({ target, content, mode: 0o644 }));
    builder = builder.withCopyContentToContainer(files);
  }
  const started = await builder.start();
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(started.getId());
  const host = started.getHost();
  const port = started.getMappedPort(spec.containerPort);

  const waitReady = async (): Promise<void> => {
    const timeoutMs = spec.readyTimeoutMs ?? 30_000;
    if (
      await pollUntil((remaining) => spec.probe(host, port, Math.min(1_000, remaining)), timeoutMs)
    ) {
      return;
    }
    throw new ServerStartError(
      spec.name,
      `container ${spec.image} on ${host}:${port} not ready within ${timeoutMs} ms`,
    );
  };

  let stopped = false;
  let paused = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    untrack();
    await started.stop({ timeout: 1 });
  };
  // The reaper removes the container when this process dies; nothing synchronous is possible.
  const untrack = track({ stop, killSync: () => undefined });
  try {
    await waitReady();
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    host,
    port,
    pid: undefined,
    stop,
    kill: async () => {
      await container.kill({ signal: 'SIGKILL' });
    },
    pause: async () => {
      await container.pause();
      paused = true;
    },
    resume: async () => {
      await container.unpause();
      paused = false;
    },
    restart: async () => {
      if (paused) await container.unpause();
      paused = false;
      await started.restart({ timeout: 1 });
      await waitReady();
    },
    logTail: () => '',
  };
}

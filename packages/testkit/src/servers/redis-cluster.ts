import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigError } from '@resilient-store/core';
import { findBinary, findSiblingBinary } from './binaries.js';
import { keySlot } from './cluster-slot.js';
import {
  allSlotsCovered,
  type ClusterNodeView,
  clusterInfo,
  clusterView,
  isFailed,
  isMaster,
  ownerOf,
} from './cluster-topology.js';
import { credentialsOf, envControl, hostPortOf } from './env-server.js';
import { ServerStartError, ServerStateError, ServerTimeoutError } from './errors.js';
import { makeHandle, type ServerControl, type ServerHandle } from './handle.js';
import { LocalServer } from './local-server.js';
import { pollUntil } from './poll.js';
import { LOOPBACK } from './ports.js';
import { type RedisCommandOptions, redisCommand, redisPing } from './probes/resp.js';
import { localRedisArgs, redisConfigArgs, redisUrl } from './redis.js';
import { resolveSource, type ServerSource, type SourceOptions } from './source.js';

const run = promisify(execFile);

export interface RedisClusterOptions extends SourceOptions {
  /** Number of masters; redis-cli needs at least 3. Default 3. */
  masters?: number;
  /** Replicas per master. Default 1. */
  replicasPerMaster?: number;
  /** Extra redis-server flags for every node. */
  args?: string[];
  /** requirepass (and masterauth) on every node. */
  password?: string;
  /** cluster-node-timeout: how long before a silent node is failed over. Default 1000 ms. */
  nodeTimeoutMs?: number;
  /** Time allowed for the whole cluster to form. Default 30 s. */
  readyTimeoutMs?: number;
}

export type ClusterRole = 'master' | 'replica';

/** One cluster node: a Redis server handle plus its cluster identity and last observed role. */
export interface ClusterNode extends ServerHandle {
  /** Cluster node id (40 hex characters). */
  readonly id: string;
  /** Role at the last topology read (start, masters(), nodeForKey(), killMaster()). */
  readonly role: ClusterRole;
}

export interface RedisCluster {
  readonly source: ServerSource;
  /** Every node; right after start the masters come first. */
  readonly nodes: readonly ClusterNode[];
  /** host/port of every node, the shape cluster clients take as seed nodes. */
  readonly startupNodes: ReadonlyArray<{ host: string; port: number }>;
  readonly urls: readonly string[];
  readonly password: string | undefined;
  /** Current masters that are not failed, as the cluster sees them now. */
  masters(): Promise<ClusterNode[]>;
  /** The master that serves `key`'s slot now (hash tags honoured). */
  nodeForKey(key: string): Promise<ClusterNode>;
  /**
   * SIGKILLs a master (a node, or an index into `nodes`) and resolves once one of its replicas
   * has taken over its slots and every surviving node reports cluster_state:ok.
   */
  killMaster(
    target: ClusterNode | number,
    timeoutMs?: number,
  ): Promise<{ killed: ClusterNode; promoted: ClusterNode }>;
  /** Resolves once every running node reports cluster_state:ok, all slots served, and they agree on the topology. */
  waitForHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node the testkit started; a no-op for a cluster from the environment. */
  stop(): Promise<void>;
}

export const REDIS_CLUSTER_URLS_ENV = 'RS_TEST_REDIS_CLUSTER_URLS';
const CLUSTER_NAME = 'redis cluster';

interface NodeState {
  id: string;
  role: ClusterRole;
}

function nodeHandle(
  base: { host: string; port: number; url: string; source: ServerSource },
  control: ServerControl,
  state: NodeState,
): ClusterNode {
  return makeHandle(base, control, {
    get id() {
      return state.id;
    },
    get role() {
      return state.role;
    },
  });
}

/** Starts `masters * (1 + replicasPerMaster)` cluster-enabled redis-server processes and joins them. */
export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  if (!Number.isInteger(masters) || masters < 3) {
    throw new ConfigError('masters', `a Redis Cluster needs at least 3 masters, got ${masters}`);
  }
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new ConfigError('replicasPerMaster', `must be a non-negative integer, got ${replicas}`);
  }
  const resolved = await resolveSource(REDIS_CLUSTER_URLS_ENV, opts, {
    server: CLUSTER_NAME,
    operation: 'startRedisCluster',
    instead: 'install redis-server locally or set RS_TEST_REDIS_CLUSTER_URLS',
  });

  if (resolved.source === 'env') {
    const seeds = resolved.value
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u.length > 0);
    const { username, password } = credentialsOf(seeds[0] ?? '');
    const envAuth = { password: opts.password ?? password, username };
    const nodes = seeds.map((url) => {
      const { host, port } = hostPortOf(url, 6379);
      const control = envControl(`redis cluster node ${host}:${port}`, REDIS_CLUSTER_URLS_ENV);
      return { base: { host, port, url, source: 'env' as const }, control };
    });
    return assemble(nodes, 'env', envAuth, envAuth.password);
  }

  const auth: RedisCommandOptions = { password: opts.password };
  const binary = findBinary('redis-server', 'redis', opts);
  const cli = findSiblingBinary('redis-cli', binary, 'redis', opts);
  const nodeTimeout = opts.nodeTimeoutMs ?? 1_000;
  const total = masters * (1 + replicas);
  const started = await Promise.allSettled(
    Array.from({ length: total }, () =>
      LocalServer.start({
        name: 'redis-server (cluster node)',
        kind: 'redis-cluster',
        portCount: 2,
        launch: ([port, busPort], dir) => ({
          command: binary,
          args: [
            ...localRedisArgs(port!, dir),
            '--cluster-port',
            String(busPort),
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(nodeTimeout),
            // Fail over however long the replica was cut off: tests kill masters on purpose.
            '--cluster-replica-validity-factor',
            '0',
            // Replicas sync at once instead of waiting 5 s for more replicas to share the transfer.
            '--repl-diskless-sync-delay',
            '0',
            ...(opts.password !== undefined ? ['--masterauth', opts.password] : []),
            ...redisConfigArgs({ password: opts.password, args: opts.args }),
          ],
        }),
        probe: (port, timeoutMs) => redisPing(LOOPBACK, port, { ...auth, timeoutMs }),
        stopSignal: 'SIGTERM',
      }),
    ),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r) => r.status === 'rejected');
  const stopAll = () => Promise.allSettled(servers.map((s) => s.stop())).then(() => undefined);
  if (failure) {
    await stopAll();
    throw failure.reason;
  }

  try {
    await run(
      cli,
      [
        ...(opts.password !== undefined ? ['-a', opts.password, '--no-auth-warning'] : []),
        '--cluster',
        'create',
        ...servers.map((s) => `${LOOPBACK}:${s.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: opts.readyTimeoutMs ?? 30_000 },
    );
  } catch (error) {
    await stopAll();
    const output = error as { stdout?: string; stderr?: string };
    throw new ServerStartError(
      'redis-cli --cluster create',
      `could not join ${total} nodes:\n${output.stdout ?? ''}${output.stderr ?? ''}`,
      { cause: error },
    );
  }

  const nodes = servers.map((server) => ({
    base: {
      host: LOOPBACK,
      port: server.port,
      url: redisUrl(LOOPBACK, server.port, opts.password),
      source: 'local' as const,
    },
    control: server,
  }));
  try {
    const cluster = await assemble(nodes, 'local', auth, opts.password);
    await cluster.waitForHealthy(opts.readyTimeoutMs ?? 30_000);
    await waitForReplication(cluster, auth, opts.readyTimeoutMs ?? 30_000);
    return cluster;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Waits until every replica reports its link to its master up, so a failover has data to promote. */
async function waitForReplication(
  cluster: RedisCluster,
  auth: RedisCommandOptions,
  timeoutMs: number,
): Promise<void> {
  const replicas = cluster.nodes.filter((n) => n.role === 'replica');
  const linked = await pollUntil(async (remaining) => {
    const infos = await Promise.all(
      replicas.map((n) =>
        redisCommand(n.host, n.port, ['INFO', 'replication'], {
          ...auth,
          timeoutMs: Math.min(1_000, remaining),
        })
          .then(String)
          .catch(() => ''),
      ),
    );
    return infos.every((info) => info.includes('master_link_status:up'));
  }, timeoutMs);
  if (!linked) {
    throw new ServerTimeoutError(
      `${CLUSTER_NAME}: replicas not in sync with their masters within ${timeoutMs} ms`,
    );
  }
}

async function assemble(
  parts: ReadonlyArray<{
    base: { host: string; port: number; url: string; source: ServerSource };
    control: ServerControl;
  }>,
  source: ServerSource,
  auth: RedisCommandOptions,
  password: string | undefined,
): Promise<RedisCluster> {
  const states = parts.map((): NodeState => ({ id: '', role: 'master' }));
  const nodes = parts.map((part, i) =>
    nodeHandle(part.base, part.control, states[i] ?? { id: '', role: 'master' }),
  );
  const indexOf = (view: ClusterNodeView) =>
    nodes.findIndex(
      (n) =>
        n.port === view.port &&
        (view.host === n.host || view.host === '' || view.host === LOOPBACK),
    );
  const byAddress = (view: ClusterNodeView): ClusterNode | undefined => nodes[indexOf(view)];

  /** Reads the topology from the first reachable node and refreshes every handle's id and role. */
  const refresh = async (exclude?: ClusterNode): Promise<ClusterNodeView[]> => {
    let lastError: unknown;
    for (const node of nodes) {
      if (node === exclude || (source !== 'env' && node.pid === undefined)) continue;
      try {
        const view = await clusterView(node.host, node.port, { ...auth, timeoutMs: 1_000 });
        for (const entry of view) {
          const state = states[indexOf(entry)];
          if (state === undefined) continue;
          state.id = entry.id;
          state.role = isMaster(entry) ? 'master' : 'replica';
        }
        return view;
      } catch (error) {
        lastError = error;
      }
    }
    throw new ServerStateError(
      `${CLUSTER_NAME}: no node answered CLUSTER NODES (${String(lastError)})`,
    );
  };

  const nodeFor = (view: ClusterNodeView | undefined, what: string): ClusterNode => {
    const node = view && byAddress(view);
    if (!node)
      throw new ServerStateError(`${CLUSTER_NAME}: ${what} is not one of this cluster's nodes`);
    return node;
  };

  /**
   * The node's topology as a comparable string when it reports cluster_state:ok with every slot
   * served, else undefined. Comparing these across nodes catches a restarted node that still
   * believes its old role.
   */
  const healthyView = async (node: ClusterNode, timeoutMs: number): Promise<string | undefined> => {
    try {
      const opts = { ...auth, timeoutMs };
      const [info, view] = await Promise.all([
        clusterInfo(node.host, node.port, opts),
        clusterView(node.host, node.port, opts),
      ]);
      const ok =
        info.get('cluster_state') === 'ok' &&
        info.get('cluster_slots_ok') === '16384' &&
        allSlotsCovered(view);
      if (!ok) return undefined;
      return view
        .filter((v) => !isFailed(v))
        .map(
          (v) =>
            `${v.id} ${isMaster(v) ? 'master' : `replica-of-${v.masterId}`} ${v.slots.join(',')}`,
        )
        .sort()
        .join('\n');
    } catch {
      return undefined;
    }
  };

  const running = (except?: ClusterNode) =>
    nodes.filter((n) => n !== except && (source === 'env' || n.pid !== undefined));

  const waitForHealthy = async (timeoutMs = 30_000, except?: ClusterNode): Promise<void> => {
    const ok = await pollUntil(
      async (remaining) => {
        const views = await Promise.all(
          running(except).map((n) => healthyView(n, Math.min(1_000, remaining))),
        );
        return views.every((v) => v !== undefined && v === views[0]);
      },
      timeoutMs,
      50,
    );
    if (!ok)
      throw new ServerTimeoutError(
        `${CLUSTER_NAME}: nodes did not all report cluster_state:ok and agree on the topology within ${timeoutMs} ms`,
      );
    await refresh(except);
  };

  await refresh();

  const cluster: RedisCluster = {
    source,
    nodes,
    startupNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
    urls: nodes.map((n) => n.url),
    password,
    masters: async () => {
      const view = await refresh();
      return view
        .filter((v) => isMaster(v) && !isFailed(v))
        .map((v) => nodeFor(v, `${v.host}:${v.port}`));
    },
    nodeForKey: async (key) => {
      const slot = keySlot(key);
      return nodeFor(ownerOf(await refresh(), slot), `the owner of slot ${slot}`);
    },
    killMaster: async (target, timeoutMs = 30_000) => {
      const killed = typeof target === 'number' ? nodes[target] : target;
      if (killed === undefined || !nodes.includes(killed)) {
        throw new ServerStateError(`killMaster(): ${String(target)} is not a node of this cluster`);
      }
      if (source === 'env') {
        await killed.kill(); // rejects with FaultInjectionUnsupportedError
      }
      const before = await refresh(killed);
      const self = before.find((v) => v.id === killed.id);
      if (!self || !isMaster(self) || isFailed(self)) {
        throw new ServerStateError(
          `killMaster(): node ${killed.host}:${killed.port} is not a live master`,
        );
      }
      const replicaIds = new Set(
        before.filter((v) => v.masterId === killed.id && !isFailed(v)).map((v) => v.id),
      );
      const firstSlot = self.slots[0]?.[0];
      if (replicaIds.size === 0 || firstSlot === undefined) {
        throw new ServerStateError(
          `killMaster(): node ${killed.host}:${killed.port} has no live replica to promote or serves no slot`,
        );
      }
      await killed.kill();
      let promotedView: ClusterNodeView | undefined;
      const promotedEverywhere = await pollUntil(
        async (remaining) => {
          const views = await Promise.all(
            running(killed).map((n) =>
              clusterView(n.host, n.port, { ...auth, timeoutMs: Math.min(1_000, remaining) }).catch(
                () => [],
              ),
            ),
          );
          const owners = views.map((view) => ownerOf(view, firstSlot));
          promotedView = owners[0];
          return owners.every(
            (owner) =>
              owner !== undefined && replicaIds.has(owner.id) && owner.id === promotedView?.id,
          );
        },
        timeoutMs,
        50,
      );
      if (!promotedEverywhere) {
        throw new ServerTimeoutError(
          `${CLUSTER_NAME}: no replica of ${killed.host}:${killed.port} was promoted within ${timeoutMs} ms`,
        );
      }
      await waitForHealthy(timeoutMs, killed);
      return { killed, promoted: nodeFor(promotedView, 'the promoted replica') };
    },
    waitForHealthy: (timeoutMs) => waitForHealthy(timeoutMs),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  return cluster;
}

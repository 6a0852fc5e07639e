import { CLUSTER_SLOTS } from './cluster-slot.js';
import { type RedisCommandOptions, redisCommand } from './probes/resp.js';

/** One line of `CLUSTER NODES`, as seen by the node that was asked. */
export interface ClusterNodeView {
  id: string;
  host: string;
  port: number;
  flags: ReadonlySet<string>;
  /** Node id of its master for a replica, undefined for a master. */
  masterId: string | undefined;
  /** Inclusive slot ranges it serves (masters only). */
  slots: ReadonlyArray<readonly [number, number]>;
}

/** Parses `CLUSTER NODES` output. */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slotFields] =
        line.split(' ');
      // ip:port@cport[,hostname]
      const hostPort = address.split('@')[0] ?? '';
      const colon = hostPort.lastIndexOf(':');
      const slots: [number, number][] = [];
      for (const field of slotFields) {
        if (field.startsWith('[')) continue; // a slot being migrated, not served
        const [from, to = from] = field.split('-');
        slots.push([Number(from), Number(to)]);
      }
      return {
        id,
        host: hostPort.slice(0, colon),
        port: Number(hostPort.slice(colon + 1)),
        flags: new Set(flags.split(',')),
        masterId: master === '-' ? undefined : master,
        slots,
      };
    });
}

export function isFailed(node: ClusterNodeView): boolean {
  return node.flags.has('fail') || node.flags.has('fail?');
}

export function isMaster(node: ClusterNodeView): boolean {
  return node.flags.has('master');
}

/** The live master serving `slot` in `view`, if any. */
export function ownerOf(
  view: readonly ClusterNodeView[],
  slot: number,
): ClusterNodeView | undefined {
  return view.find(
    (n) => isMaster(n) && !isFailed(n) && n.slots.some(([from, to]) => slot >= from && slot <= to),
  );
}

/** True when live masters in `view` serve all 16384 slots. */
export function allSlotsCovered(view: readonly ClusterNodeView[]): boolean {
  let covered = 0;
  for (const node of view) {
    if (!isMaster(node) || isFailed(node)) continue;
    for (const [from, to] of node.slots) covered += to - from + 1;
  }
  return covered === CLUSTER_SLOTS;
}

/** `CLUSTER NODES` as seen by the node at host:port. */
export async function clusterView(
  host: string,
  port: number,
  opts: RedisCommandOptions = {},
): Promise<ClusterNodeView[]> {
  return parseClusterNodes(String(await redisCommand(host, port, ['CLUSTER', 'NODES'], opts)));
}

/** `CLUSTER INFO` fields as a map (cluster_state, cluster_slots_ok, cluster_known_nodes...). */
export async function clusterInfo(
  host: string,
  port: number,
  opts: RedisCommandOptions = {},
): Promise<Map<string, string>> {
  const text = String(await redisCommand(host, port, ['CLUSTER', 'INFO'], opts));
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(':');
    if (key && value !== undefined) fields.set(key, value);
  }
  return fields;
}

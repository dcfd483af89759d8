import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ClusterService } from '../cluster/cluster.service';
import type { RaumConfig } from '../config/config';

export interface ClusterNode {
  readonly nodeId: string;
  /** Ends the process at once (SIGKILL), without a word to Redis, as a crash would. */
  kill(): Promise<void>;
}

/**
 * A node's cluster membership alone, in a process of its own, so that a test can kill it: it joins the cluster on
 * `redisUrl` and becomes the home of `roomId`.
 */
export async function startClusterNode(redisUrl: string, roomId: string): Promise<ClusterNode> {
  // This file again, in a child that runs as this test process does (its TypeScript loader included).
  const child = spawn(process.execPath, [...process.execArgv, __filename, redisUrl, roomId], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    nodeId: String(line).trim(),
    async kill() {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function runNode(redisUrl: string, roomId: string): Promise<void> {
  const cluster = new ClusterService({ redisUrl } as RaumConfig);
  await cluster.onModuleInit();
  await cluster.homeOf(roomId);
  cluster.hold(roomId);
  process.stdout.write(`${cluster.nodeId}\n`);
}

if (require.main === module) void runNode(process.argv[2]!, process.argv[3]!);

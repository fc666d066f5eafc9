/**
 * `--shard i/n`: a stable partition of scenarios across CI workers. A scenario's shard
 * depends only on its id (a hash), so adding or removing other scenarios never moves it,
 * and every worker computes the same partition without talking to the others.
 */
import { createHash } from 'node:crypto';

export interface Shard {
  /** 1-based, as CI matrices count: `--shard 1/3` … `--shard 3/3`. */
  index: number;
  total: number;
}

export class ShardSpecError extends Error {}

export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ShardSpecError(`--shard ${text}: expected i/n, e.g. --shard 2/3`);
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (total < 1 || index < 1 || index > total) throw new ShardSpecError(`--shard ${text}: i must be between 1 and n (n ≥ 1), e.g. --shard 1/${Math.max(total, 1)}`);
  return { index, total };
}

/** Which shard (1-based) a scenario id belongs to. */
export function shardOf(id: string, total: number): number {
  const hash = createHash('sha256').update(id).digest().readUInt32BE(0);
  return (hash % total) + 1;
}

/** The ids of shard `index` of `total`, in their original order. */
export function shardScenarios<T extends string>(ids: readonly T[], index: number, total: number): T[] {
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(index) || index < 1 || index > total) {
    throw new ShardSpecError(`shard ${index}/${total}: i must be between 1 and n`);
  }
  return ids.filter((id) => shardOf(id, total) === index);
}

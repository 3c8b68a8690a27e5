/**
 * A link outage on a kernel interface: `ip link set down`, held, then `up`. Each command is bracketed by
 * wall-clock timestamps, so the outage's real start and end are known to within one `ip` call (a few ms)
 * and a failover measurement can be checked against them.
 */
import type { InjectedEvent } from '../../loadgen/failover-run.ts';
import { wallClockMs } from '../../loadgen/failover-run.ts';
import type { Shell } from '../../shell/shell.ts';

export interface LinkFlapOptions {
  readonly shell: Shell;
  /** Network namespace of the interface (undefined: the shell's own). */
  readonly netns?: string;
  readonly iface: string;
  /** How long the link stays down, seconds. */
  readonly downS: number;
}

/** Take the link down, hold it, bring it up; resolves with the timestamps of both changes. */
export async function flapLink(o: LinkFlapOptions): Promise<InjectedEvent> {
  const ip = (state: 'up' | 'down'): string[] => ['ip', ...(o.netns === undefined ? [] : ['-n', o.netns]), 'link', 'set', 'dev', o.iface, state];
  const startMs = wallClockMs();
  await o.shell.run(ip('down'), { timeoutMs: 10_000 });
  const downDoneMs = wallClockMs();
  // Hold from the moment the link is surely down; a timer that fires late lengthens the outage, and the
  // timestamps below say so.
  await new Promise((r) => setTimeout(r, o.downS * 1000));
  const upStartMs = wallClockMs();
  await o.shell.run(ip('up'), { timeoutMs: 10_000 });
  const endMs = wallClockMs();
  return { startMs, endMs, downMs: [startMs, downDoneMs], upMs: [upStartMs, endMs] };
}

/**
 * `vppctl show vhost-user`: per `Interface: <name> (ifindex N)` its socket, role, errno, features and
 * virtqueues. Indentation differs between the sections (v25.06, fixtures/vpp/), so lines are matched trimmed.
 */
import { outputFormatError, outputLines } from '../host/output-format-error.ts';

export interface VhostUserInterface {
  readonly name: string;
  readonly ifindex: number;
  readonly socket: string;
  /** VPP's side of the socket. */
  readonly type: 'client' | 'server';
  readonly errno: string;
  readonly featuresHex?: string;
  readonly features: readonly string[];
  readonly memoryRegions: number;
  readonly virtqueues: number;
  /** The guest/peer set up memory and rings. */
  readonly connected: boolean;
}

const TOOL = 'vppctl show vhost-user';

/** Parse `show vhost-user [<if>]`. */
export function parseShowVhostUser(text: string): VhostUserInterface[] {
  type I = { name: string; ifindex: number; socket?: string; type?: 'client' | 'server'; errno?: string; featuresHex?: string; features: string[]; memoryRegions: number; virtqueues: number; inFeatures: boolean };
  const out: I[] = [];
  const lines = outputLines(text);
  if (!lines.some((l) => l.startsWith('Virtio vhost-user interfaces') || l.startsWith('Interface:')))
    throw outputFormatError(TOOL, "'Virtio vhost-user interfaces' and 'Interface: <name> (ifindex N)'", lines[0] ?? '(empty)');
  lines.forEach((line, i) => {
    let m: RegExpExecArray | null;
    if ((m = /^Interface: (\S+) \(ifindex (\d+)\)$/.exec(line))) {
      out.push({ name: m[1]!, ifindex: Number(m[2]), features: [], memoryRegions: 0, virtqueues: 0, inFeatures: false });
      return;
    }
    const cur = out[out.length - 1];
    if (!cur) return; // global section
    const t = line.trim();
    if ((m = /^features \((0x[0-9a-f]+)\):$/.exec(t))) {
      cur.featuresHex = m[1]!;
      cur.inFeatures = true;
      return;
    }
    if (cur.inFeatures) {
      if ((m = /^(VIRTIO_\S+|VHOST_USER_F_\S+) \(\d+\)$/.exec(t))) {
        cur.features.push(m[1]!);
        return;
      }
      cur.inFeatures = false;
    }
    if ((m = /^\s*socket filename (\S+) type (client|server) errno "(.*)"$/.exec(line))) {
      cur.socket = m[1]!;
      cur.type = m[2] as 'client' | 'server';
      cur.errno = m[3]!;
    } else if (/^\s*socket filename/.test(line)) {
      throw outputFormatError(TOOL, "'socket filename <path> type client|server errno \"<text>\"'", line, i + 1);
    } else if ((m = /^Memory regions \(total (\d+)\)$/.exec(t))) cur.memoryRegions = Number(m[1]);
    else if (/^Virtqueue \d+/.test(t)) cur.virtqueues++;
  });
  return out.map((f) => {
    if (f.socket === undefined) throw outputFormatError(TOOL, `a 'socket filename' line for ${f.name}`, '(missing)');
    return {
      name: f.name,
      ifindex: f.ifindex,
      socket: f.socket,
      type: f.type!,
      errno: f.errno!,
      ...(f.featuresHex === undefined ? {} : { featuresHex: f.featuresHex }),
      features: f.features,
      memoryRegions: f.memoryRegions,
      virtqueues: f.virtqueues,
      connected: f.memoryRegions > 0 && f.virtqueues > 0,
    };
  });
}

/**
 * `vppctl show interface rx-placement` (VPP 21.x and later): per thread, per input node, each receive
 * queue with its interface and rx-mode:
 *   Thread 0 (vpp_main):
 *    node memif-input:
 *       memif1/0 queue 0 (polling)
 * A memif or vhost-user interface has no queue until its peer is connected, and VPP gives a queue its
 * default mode (polling) whenever it is (re)connected: a mode set before that does not stick.
 */
import { outputFormatError, outputLines } from '../host/output-format-error.ts';
import { VPP_RX_MODES, type VppRxMode } from './rx-mode.ts';

export interface VppRxQueuePlacement {
  readonly thread: number;
  readonly node: string;
  readonly ifname: string;
  readonly queue: number;
  readonly mode: VppRxMode;
}

const TOOL = 'vppctl show interface rx-placement';
const THREAD = /^Thread (\d+) \(.*\):$/;
const NODE = /^\s+node (\S+):$/;
const QUEUE = /^\s+(\S+) queue (\d+) \((\w+)\)$/;

export function parseRxPlacement(text: string): VppRxQueuePlacement[] {
  const out: VppRxQueuePlacement[] = [];
  let thread: number | undefined;
  let node: string | undefined;
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const t = THREAD.exec(line);
    if (t) {
      thread = Number(t[1]);
      node = undefined;
      return;
    }
    const n = NODE.exec(line);
    if (n && thread !== undefined) {
      node = n[1]!;
      return;
    }
    const q = QUEUE.exec(line);
    const mode = VPP_RX_MODES.find((m) => m === q?.[3]);
    if (!q || !mode || thread === undefined || node === undefined) throw outputFormatError(TOOL, "'Thread N (name):', ' node NAME:' or '<interface> queue N (<rx-mode>)'", line, i + 1);
    out.push({ thread, node, ifname: q[1]!, queue: Number(q[2]), mode });
  });
  return out;
}

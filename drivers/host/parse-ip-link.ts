/**
 * VF state of a PF: `ip -j link show <pf>` (preferred; `vfinfo_list`) and the text VF lines of
 * `ip link show <pf>` in both iproute2 formats (>= 5.3: `vf N     link/ether MAC ...`; older: `vf N MAC MAC, ...`).
 */
import { z } from 'zod';
import { outputFormatError, outputLines } from './output-format-error.ts';

export interface VfInfo {
  readonly vf: number;
  readonly mac: string;
  /** 0 = no VLAN. */
  readonly vlan: number;
  readonly qos: number;
  readonly spoofchk: boolean;
  readonly trust: boolean;
  readonly linkState: 'auto' | 'enable' | 'disable';
  readonly maxTxRateMbps?: number;
}

export interface LinkInfo {
  readonly ifindex: number;
  readonly ifname: string;
  readonly mac?: string;
  readonly mtu: number;
  readonly operState?: string;
  readonly vfs: readonly VfInfo[];
}

const linkState = z.enum(['auto', 'enable', 'disable']);
const vfJson = z.object({
  vf: z.number().int().min(0),
  address: z.string(),
  vlan_list: z.array(z.object({ vlan: z.number().int(), qos: z.number().int().optional() })).optional(),
  vlan: z.number().int().optional(),
  qos: z.number().int().optional(),
  rate: z.object({ max_tx: z.number(), min_tx: z.number() }).optional(),
  max_tx_rate: z.number().optional(),
  spoofchk: z.boolean(),
  trust: z.boolean(),
  link_state: linkState,
});
const linkJson = z.object({
  ifindex: z.number().int(),
  ifname: z.string(),
  mtu: z.number().int(),
  address: z.string().optional(),
  operstate: z.string().optional(),
  vfinfo_list: z.array(vfJson).optional(),
});

/** Parse `ip -j link [show <dev>]`. */
export function parseIpLinkJson(text: string): LinkInfo[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw outputFormatError('ip -j link', 'a JSON array', text.slice(0, 80));
  }
  const parsed = z.array(linkJson).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw outputFormatError('ip -j link', `field ${issue.path.join('.')}: ${issue.message}`, JSON.stringify(data).slice(0, 120));
  }
  return parsed.data.map((l) => ({
    ifindex: l.ifindex,
    ifname: l.ifname,
    mtu: l.mtu,
    ...(l.address === undefined ? {} : { mac: l.address }),
    ...(l.operstate === undefined ? {} : { operState: l.operstate }),
    vfs: (l.vfinfo_list ?? []).map((v) => {
      const vlan = v.vlan_list?.[0]?.vlan ?? v.vlan ?? 0;
      const qos = v.vlan_list?.[0]?.qos ?? v.qos ?? 0;
      const maxTx = v.rate?.max_tx ?? v.max_tx_rate;
      return {
        vf: v.vf,
        mac: v.address,
        vlan,
        qos,
        spoofchk: v.spoofchk,
        trust: v.trust,
        linkState: v.link_state,
        ...(maxTx ? { maxTxRateMbps: maxTx } : {}),
      };
    }),
  }));
}

const MAC = '([0-9a-f]{2}(?::[0-9a-f]{2}){5})';
const NEW_VF = new RegExp(`^\\s+vf (\\d+)\\s+link/\\S+ ${MAC}(?: brd \\S+)?,(.*)$`, 'i');
const OLD_VF = new RegExp(`^\\s+vf (\\d+) MAC ${MAC},(.*)$`, 'i');
const LINK_HEADER = /^(\d+): ([^:@\s]+)(?:@\S+)?: <[^>]*> mtu (\d+)(.*)$/;

function onOff(tool: string, word: string, line: string, no: number): boolean {
  if (word === 'on') return true;
  if (word === 'off') return false;
  throw outputFormatError(tool, "'on' or 'off'", line, no);
}

/** Parse `ip link show` text (one or more links) including the VF lines of either iproute2 format. */
export function parseIpLinkText(text: string): LinkInfo[] {
  const tool = 'ip link show';
  const links: { ifindex: number; ifname: string; mtu: number; mac?: string; operState?: string; vfs: VfInfo[] }[] = [];
  outputLines(text).forEach((line, i) => {
    const no = i + 1;
    if (line.trim() === '') return;
    const h = LINK_HEADER.exec(line);
    if (h) {
      const state = / state (\S+)/.exec(h[4]!)?.[1];
      links.push({ ifindex: Number(h[1]), ifname: h[2]!, mtu: Number(h[3]), ...(state ? { operState: state } : {}), vfs: [] });
      return;
    }
    const cur = links[links.length - 1];
    if (!cur) throw outputFormatError(tool, "a link header '<n>: <name>: <flags> mtu <n> ...'", line, no);
    const trimmed = line.trim();
    if (/^link\/\S+/.test(trimmed)) {
      const mac = new RegExp(`^link/\\S+ ${MAC}`, 'i').exec(trimmed)?.[1];
      if (mac) cur.mac = mac.toLowerCase();
      return;
    }
    if (/^(altname|alias|prop|RX:|TX:|\d)/.test(trimmed)) return; // other per-link lines we do not need
    if (!/^vf \d/.test(trimmed)) throw outputFormatError(tool, "a 'vf N ...', 'link/...' or 'altname' line", line, no);
    const m = NEW_VF.exec(line) ?? OLD_VF.exec(line);
    if (!m) throw outputFormatError(tool, "'vf N     link/ether <mac> ...' (iproute2 >= 5.3) or 'vf N MAC <mac>, ...'", line, no);
    const fields = m[3]!.split(',').map((f) => f.trim()).filter((f) => f !== '');
    let vlan = 0;
    let qos = 0;
    let spoofchk: boolean | undefined;
    let trust: boolean | undefined;
    let linkState: VfInfo['linkState'] | undefined;
    let maxTx: number | undefined;
    for (const f of fields) {
      let fm: RegExpExecArray | null;
      if ((fm = /^vlan (\d+)$/.exec(f))) vlan = Number(fm[1]);
      else if ((fm = /^qos (\d+)$/.exec(f))) qos = Number(fm[1]);
      else if ((fm = /^spoof checking (\S+)$/.exec(f))) spoofchk = onOff(tool, fm[1]!, line, no);
      else if ((fm = /^trust (\S+)$/.exec(f))) trust = onOff(tool, fm[1]!, line, no);
      else if ((fm = /^link-state (auto|enable|disable)$/.exec(f))) linkState = fm[1] as VfInfo['linkState'];
      else if ((fm = /^(?:max_tx_rate (\d+)Mbps|tx rate (\d+) \(Mbps\))$/.exec(f))) maxTx = Number(fm[1] ?? fm[2]);
      // other documented optional fields: vlan protocol, min_tx_rate, NODE_GUID, PORT_GUID, query_rss
      else if (!/^(vlan protocol \S+|min_tx_rate \d+Mbps|NODE_GUID \S+|PORT_GUID \S+|query_rss (on|off))$/.test(f))
        throw outputFormatError(tool, `a known VF field (vlan, qos, spoof checking, link-state, trust, ...) instead of '${f}'`, line, no);
    }
    if (spoofchk === undefined || trust === undefined || linkState === undefined)
      throw outputFormatError(tool, "'spoof checking', 'link-state' and 'trust' on every VF line", line, no);
    cur.vfs.push({
      vf: Number(m[1]),
      mac: m[2]!.toLowerCase(),
      vlan,
      qos,
      spoofchk,
      trust,
      linkState,
      ...(maxTx ? { maxTxRateMbps: maxTx } : {}),
    });
  });
  return links;
}

/**
 * `vppctl show memif`: a `sockets` table, then per interface `interface memifS/I` and two-space-indented
 * `key value` lines, with ring blocks indented deeper. Both layouts parse: VPP 18.x (master side prints
 * no `remote-name` until connected, `buffer-size 0`) and 19.x+ (same keys, `mode ethernet|ip|punt-inject`).
 * Connected ⇔ the word `connected` in `flags`. After a disconnect, `local-disc-reason` / `remote-disc-reason`
 * say why (recorded from v25.06 when the generator went away: `local-disc-reason "disconnected"`).
 */
import { outputFormatError, outputLines } from '../host/output-format-error.ts';

export interface MemifSocket {
  readonly id: number;
  readonly listener: boolean;
  readonly filename: string;
}

export interface MemifInterface {
  readonly name: string;
  readonly socketId: number;
  readonly id: number;
  readonly mode: string;
  readonly flags: readonly string[];
  readonly connected: boolean;
  /** 'slave' flag present ⇒ this side is the client. */
  readonly role: 'master' | 'slave';
  readonly remoteName?: string;
  readonly remoteInterface?: string;
  /** Why the last connection ended, as this side saw it (`local-disc-reason`, e.g. "disconnected"). */
  readonly localDisconnectReason?: string;
  /** ... and as the peer said it (`remote-disc-reason`). */
  readonly remoteDisconnectReason?: string;
  readonly rings: number;
}

export interface MemifShow {
  readonly sockets: readonly MemifSocket[];
  readonly interfaces: readonly MemifInterface[];
}

const TOOL = 'vppctl show memif';

/** Parse `show memif`. */
export function parseShowMemif(text: string): MemifShow {
  const sockets: MemifSocket[] = [];
  type I = {
    name: string;
    socketId?: number;
    id?: number;
    mode?: string;
    flags?: string[];
    remoteName?: string;
    remoteInterface?: string;
    localDisconnectReason?: string;
    remoteDisconnectReason?: string;
    rings: number;
  };
  const ifs: I[] = [];
  let section: 'none' | 'sockets' | 'if' = 'none';
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const no = i + 1;
    let m: RegExpExecArray | null;
    if (line === 'sockets') {
      section = 'sockets';
      return;
    }
    if ((m = /^interface (\S+)$/.exec(line))) {
      section = 'if';
      ifs.push({ name: m[1]!, rings: 0 });
      return;
    }
    if (section === 'sockets') {
      if (/^\s+id\s+listener\s+filename$/.test(line)) return;
      m = /^\s+(\d+)\s+(yes(?: \(\d+\))?|no)\s+(\S+)$/.exec(line);
      if (!m) throw outputFormatError(TOOL, "a socket row '<id> yes (n)|no <filename>'", line, no);
      sockets.push({ id: Number(m[1]), listener: m[2] !== 'no', filename: m[3]! });
      return;
    }
    const cur = ifs[ifs.length - 1];
    if (section !== 'if' || !cur) throw outputFormatError(TOOL, "'sockets' or 'interface memifS/I'", line, no);
    if (/^ {4}/.test(line)) {
      if (/^\s+\S+ ring \d+:$/.test(line)) cur.rings++;
      return; // ring details
    }
    if ((m = /^ {2}remote-name "(.*)"$/.exec(line))) cur.remoteName = m[1]!;
    else if ((m = /^ {2}remote-interface "(.*)"$/.exec(line))) cur.remoteInterface = m[1]!;
    else if ((m = /^ {2}local-disc-reason "(.*)"$/.exec(line))) cur.localDisconnectReason = m[1]!;
    else if ((m = /^ {2}remote-disc-reason "(.*)"$/.exec(line))) cur.remoteDisconnectReason = m[1]!;
    else if ((m = /^ {2}socket-id (\d+) id (\d+) mode (\S+)$/.exec(line))) {
      cur.socketId = Number(m[1]);
      cur.id = Number(m[2]);
      cur.mode = m[3]!;
    } else if ((m = /^ {2}flags(?: (.*))?$/.exec(line))) cur.flags = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
    else if (/^ {2}(listener-fd|num-s2m-rings|num-m2s-rings|region|id \d|buffer-size) /.test(line)) return;
    else throw outputFormatError(TOOL, 'an interface line (remote-name, socket-id .. id .. mode .., flags, listener-fd, num-*-rings, *-disc-reason, region)', line, no);
  });
  if (section === 'none') throw outputFormatError(TOOL, "'sockets' or 'interface memifS/I'", text.split('\n')[0] ?? '(empty)');
  return {
    sockets,
    interfaces: ifs.map((f) => {
      if (f.socketId === undefined || f.id === undefined || f.mode === undefined || f.flags === undefined)
        throw outputFormatError(TOOL, `'socket-id N id N mode M' and 'flags ...' for ${f.name}`, '(missing)');
      return {
        name: f.name,
        socketId: f.socketId,
        id: f.id,
        mode: f.mode,
        flags: f.flags,
        connected: f.flags.includes('connected'),
        role: f.flags.includes('slave') ? 'slave' : 'master',
        ...(f.remoteName === undefined ? {} : { remoteName: f.remoteName }),
        ...(f.remoteInterface === undefined ? {} : { remoteInterface: f.remoteInterface }),
        ...(f.localDisconnectReason === undefined ? {} : { localDisconnectReason: f.localDisconnectReason }),
        ...(f.remoteDisconnectReason === undefined ? {} : { remoteDisconnectReason: f.remoteDisconnectReason }),
        rings: f.rings,
      };
    }),
  };
}

/**
 * The shells of a lab's nodes: one per node, opened on first use (this machine or SSH, inside the node's
 * netns when it has one) and closed together. lab/ only says how a node is reached (LabNode.access);
 * opening it is done here, so the inventory model stays data and imports no driver.
 */
import type { Lab, LabNode } from '../../lab/model.ts';
import { localShell } from './local.ts';
import { netnsShell } from './netns.ts';
import type { Shell } from './shell.ts';
import { sshShell } from './ssh.ts';

export interface NodeShells extends AsyncDisposable {
  /** The node's shell; the same one on every call until close(). */
  of(node: LabNode): Promise<Shell>;
  /** Close every shell opened so far (failures are ignored: nothing is left to do with a dead link). Idempotent. */
  close(): Promise<void>;
}

/** A pool of shells for the nodes of `lab`; nothing is opened until a node's shell is asked for. */
export function nodeShells(lab: Lab): NodeShells {
  const opened = new Map<string, { base: Shell; shell: Shell }>();
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= Promise.allSettled([...opened.values()].map((o) => o.base.close())).then(() => undefined);
    return closed;
  };
  return {
    of(node) {
      if (closed) return Promise.reject(new Error(`the shells of lab ${lab.name} are closed; node ${node.name} was asked for after the run ended`));
      let entry = opened.get(node.name);
      if (!entry) {
        const base = openBase(node);
        entry = { base, shell: node.netns ? netnsShell(base, node.netns) : base };
        opened.set(node.name, entry);
      }
      return Promise.resolve(entry.shell);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function openBase(node: LabNode): Shell {
  const a = node.access;
  switch (a.kind) {
    case 'local':
      return localShell();
    case 'ssh':
      return sshShell({
        host: a.host,
        port: a.port,
        user: a.user,
        keyPath: a.keyPath,
        ...(a.knownHostsPath === undefined ? {} : { knownHostsPath: a.knownHostsPath }),
        ...(a.hostKeySha256 === undefined ? {} : { hostKeySha256: a.hostKeySha256 }),
        keepaliveIntervalMs: a.keepaliveIntervalMs,
        connectTimeoutMs: a.connectTimeoutMs,
        retries: a.retries,
        node: node.name,
      });
    default: {
      const never: never = a;
      throw new Error(`unhandled node access ${JSON.stringify(never)}`);
    }
  }
}

/** Shells from a function (tests that put a fake host behind each node; callers that already hold the shells). */
export function shellsFrom(of: (node: LabNode) => Promise<Shell>): NodeShells {
  const close = async (): Promise<void> => undefined;
  return { of, close, [Symbol.asyncDispose]: close };
}

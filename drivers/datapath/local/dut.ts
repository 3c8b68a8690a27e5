/**
 * Start the DUT application of a local datapath on its ports.
 */
import { startL3fwd } from '../../dpdk/l3fwd.ts';
import type { DpdkProcess } from '../../dpdk/dpdk-process.ts';
import { startTestpmd } from '../../dpdk/testpmd.ts';
import { ConfigError } from '../../../core/errors.ts';
import type { Shell } from '../../shell/shell.ts';
import type { ResolvedLocal } from './local-options.ts';

export interface StartDutOptions {
  readonly local: ResolvedLocal;
  /** Where it runs (a namespace shell for veth). */
  readonly shell: Shell;
  /** One vdev per port, p0 first. */
  readonly vdevs: readonly string[];
  readonly startTimeoutMs?: number;
}

/** The DUT process (l3fwd or testpmd) forwarding between the given ports. */
export async function startDut(o: StartDutOptions): Promise<DpdkProcess> {
  const { local } = o;
  const common = {
    shell: o.shell,
    runtime: local.runtime,
    cpu: local.dutCpu,
    vdevs: o.vdevs,
    memoryMb: local.dutMemoryMb,
    ...(o.startTimeoutMs === undefined ? {} : { startTimeoutMs: o.startTimeoutMs }),
  };
  switch (local.dut) {
    case 'l3fwd':
      return startL3fwd({ ...common, role: 'dut' });
    case 'testpmd-io':
      return startTestpmd({ ...common, role: 'dut', mode: 'io' });
    case 'testpmd-macswap':
      return startTestpmd({ ...common, role: 'dut', mode: 'macswap' });
    case 'vpp-l2xc':
    case 'vpp-ip4base':
      // VPP is no DPDK process: localDatapath() gives it its own datapath (vpp-dut.ts, vpp-vswitch.ts).
      throw new ConfigError(`${local.dut} cannot be the DPDK application behind a vswitch or a socket pair`, {
        where: 'local DUT',
        hint: 'VPP as DUT runs on --datapath memif or vhost-user',
      });
  }
}

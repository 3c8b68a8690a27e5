import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisionError } from '../../core/errors.ts';
import { localShell } from '../shell/local.ts';
import { locateOvs } from './locate-ovs.ts';

// The real binaries of this machine (Debian 12: OVS 3.1, the DPDK build beside the plain one), arranged as
// other distributions lay them out: the locator asks each one whether it has DPDK.
const DEBIAN_DPDK = '/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk';
const PLAIN = '/usr/lib/openvswitch-switch/ovs-vswitchd';

test('Debian: the DPDK build is found, not the plain ovs-vswitchd that update-alternatives points at', async () => {
  const ovs = await locateOvs(localShell());
  expect(ovs).toEqual({ vswitchd: DEBIAN_DPDK, schema: '/usr/share/openvswitch/vswitch.ovsschema', ovsVersion: expect.stringMatching(/^3\.1\./), dpdkVersion: expect.stringMatching(/^22\.11/) });
});

test('RHEL or a source install: /usr/sbin/ovs-vswitchd built with DPDK is found there; builds without DPDK are named and refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-ovs-'));
  try {
    for (const d of ['rhel/sbin', 'plain/sbin', 'share']) mkdirSync(join(dir, d), { recursive: true });
    symlinkSync(DEBIAN_DPDK, join(dir, 'rhel/sbin/ovs-vswitchd'));
    symlinkSync(PLAIN, join(dir, 'plain/sbin/ovs-vswitchd'));
    symlinkSync('/usr/share/openvswitch/vswitch.ovsschema', join(dir, 'share/vswitch.ovsschema'));
    const found = await locateOvs(localShell(), [join(dir, 'missing/ovs-vswitchd-dpdk'), join(dir, 'plain/sbin/ovs-vswitchd'), join(dir, 'rhel/sbin/ovs-vswitchd')], [join(dir, 'share/vswitch.ovsschema')]);
    expect(found.vswitchd).toBe(join(dir, 'rhel/sbin/ovs-vswitchd'));
    expect(found.schema).toBe(join(dir, 'share/vswitch.ovsschema'));

    const err = await locateOvs(localShell(), [join(dir, 'plain/sbin/ovs-vswitchd')], [join(dir, 'share/vswitch.ovsschema')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionError);
    const e = err as ProvisionError;
    expect(e.what).toContain(`${join(dir, 'plain/sbin/ovs-vswitchd')} (ovs-vswitchd (Open vSwitch) 3.1.0, no DPDK)`);
    expect(e.hint).toMatch(/openvswitch-switch-dpdk on Debian\/Ubuntu, openvswitch3\.x .* on RHEL\/Fedora/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Where a host's kernel interfaces live. Configurable so that tests run the production code against a
 * fake sysfs tree under a temporary directory.
 */
export interface HostPaths {
  /** Normally /sys. */
  readonly sysfsRoot: string;
  /** Normally /proc. */
  readonly procRoot: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = { sysfsRoot: '/sys', procRoot: '/proc' };

/** /sys/bus/pci/devices/<bdf> */
export function pciDevicePath(paths: HostPaths, bdf: string): string {
  return `${paths.sysfsRoot}/bus/pci/devices/${bdf}`;
}

/** /sys/bus/pci/drivers/<driver> */
export function pciDriverPath(paths: HostPaths, driver: string): string {
  return `${paths.sysfsRoot}/bus/pci/drivers/${driver}`;
}

/**
 * VPP's receive modes: polling (the input node runs every loop), interrupt (it runs when the peer signals
 * the queue; with nothing to do VPP sleeps in epoll_wait), adaptive (polling under load, interrupt when idle).
 */
export const VPP_RX_MODES = ['polling', 'interrupt', 'adaptive'] as const;
export type VppRxMode = (typeof VPP_RX_MODES)[number];

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A guest's name, as the receiver knows it: "unix:PATH", "unix:@NAME" or
 * "vsock:CID". One concept, so that what only holds a name (a listener,
 * admission's per-guest counts) does not reach into the state directory
 * for its size.
 */
#ifndef HVS_PEER_H
#define HVS_PEER_H

#define HVS_PEER_MAX 128 /* bytes with the NUL: "unix:" and a 107-byte path fit */

#endif

#ifndef ADHOCD_RESOLV_H
#define ADHOCD_RESOLV_H
#include <stddef.h>

/// Sends a DNS query of class IN and the given type for `name` through the system
/// resolver (libresolv, honouring /etc/resolv.conf) and copies the raw answer into `answer`.
/// Returns the answer's length, or -1 with h_errno-style failure (no such name, no data,
/// server failure). Blocking: call it off the event loop.
int adhocd_dns_query(const char *name, int type, unsigned char *answer, int answer_capacity);

#endif

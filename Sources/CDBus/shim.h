#ifndef ADHOCD_CDBUS_SHIM_H
#define ADHOCD_CDBUS_SHIM_H
#include <dbus/dbus.h>
/* The dispatcher thread wakes on an eventfd, which Swift's Glibc module does not export. */
#include <sys/eventfd.h>
#endif

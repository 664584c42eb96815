#ifndef ADHOCD_CDBUS_SHIM_H
#define ADHOCD_CDBUS_SHIM_H
#include <dbus/dbus.h>
#endif

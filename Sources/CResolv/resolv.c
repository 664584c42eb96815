#include "adhocd_resolv.h"

#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>

int adhocd_dns_query(const char *name, int type, unsigned char *answer, int answer_capacity) {
    // res_nquery with a private state keeps concurrent lookups from sharing _res.
    struct __res_state state = {0};
    if (res_ninit(&state) != 0) {
        return -1;
    }
    int length = res_nquery(&state, name, ns_c_in, type, answer, answer_capacity);
    res_nclose(&state);
    return length;
}

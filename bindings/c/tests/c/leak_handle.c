/*
 * Negative control for the valgrind runs in bindings/c/tests/c_programs.rs: this program
 * parses a key three times and never frees a handle. valgrind must report it as definitely lost and
 * fail, which shows that bindings/c/tests/c/valgrind.supp hides nothing real.
 */
#include "volact.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    static const char text[] = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
    volact_product_key *key = NULL;
    volact_result r = VOLACT_RESULT_OK;
    /* Three handles, each overwritten by the next: at least two are unreachable at exit
     * whatever a register still holds. */
    for (int i = 0; i < 3 && r == VOLACT_RESULT_OK; i++) {
        r = volact_product_key_parse((const uint8_t *)text, strlen(text), &key);
    }
    printf("parsed: %u, leaking the handles\n", (unsigned)r);
    return r == VOLACT_RESULT_OK ? 0 : 2;
}

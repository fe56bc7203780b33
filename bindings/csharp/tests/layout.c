/* Prints the size of every struct in volact.h and the offset of every field, one per
 * line ("struct size N" / "struct field OFFSET"), for the C# layout test
 * (VolactTests.StructLayoutsMatchTheHeader). Built and run by bindings/csharp/test.sh. */
#include <stddef.h>
#include <stdio.h>
#include "volact.h"

#define S(s) printf(#s " size %zu\n", sizeof(struct s))
#define F(s, f) printf(#s " " #f " %zu\n", offsetof(struct s, f))

int main(void) {
    S(volact_catalog_row);
    F(volact_catalog_row, family); F(volact_catalog_row, edition); F(volact_catalog_row, key);

    S(volact_error_code);
    F(volact_error_code, code); F(volact_error_code, hex); F(volact_error_code, message);
    F(volact_error_code, applies_to); F(volact_error_code, cause); F(volact_error_code, fix);
    F(volact_error_code, source);

    S(volact_epid);
    F(volact_epid, platform); F(volact_epid, group_id); F(volact_epid, serial);
    F(volact_epid, channel); F(volact_epid, lcid); F(volact_epid, build);
    F(volact_epid, build_revision); F(volact_epid, install_day); F(volact_epid, install_year);

    S(volact_id_info);
    F(volact_id_info, error); F(volact_id_info, error_position); F(volact_id_info, kind);
    F(volact_id_info, digits); F(volact_id_info, groups); F(volact_id_info, group_len);
    F(volact_id_info, bad_groups_mask); F(volact_id_info, rule_confirmed);

    S(volact_pkey2009);
    F(volact_pkey2009, group_id); F(volact_pkey2009, serial); F(volact_pkey2009, security);
    F(volact_pkey2009, checksum); F(volact_pkey2009, upgrade); F(volact_pkey2009, extra);

    S(volact_key_info);
    F(volact_key_info, error); F(volact_key_info, error_position); F(volact_key_info, algorithm);
    F(volact_key_info, has_fields); F(volact_key_info, fields);

    S(volact_cil_summary);
    F(volact_cil_summary, computers); F(volact_cil_summary, products);
    F(volact_cil_summary, with_installation_id); F(volact_cil_summary, pending_cids);
    F(volact_cil_summary, applied_cids);

    S(volact_target_error);
    F(volact_target_error, kind); F(volact_target_error, code); F(volact_target_error, detail);

    S(volact_cid_refusal);
    F(volact_cid_refusal, code); F(volact_cid_refusal, detail);

    S(volact_target_vtable);
    F(volact_target_vtable, user); F(volact_target_vtable, machine_json);
    F(volact_target_vtable, products_json); F(volact_target_vtable, install_product_key);
    F(volact_target_vtable, activate); F(volact_target_vtable, deposit_confirmation_id);
    F(volact_target_vtable, set_kms_host); F(volact_target_vtable, set_kms_lookup_domain);
    F(volact_target_vtable, set_host_caching); F(volact_target_vtable, read_value);
    F(volact_target_vtable, write_value);

    S(volact_cid_source_vtable);
    F(volact_cid_source_vtable, user); F(volact_cid_source_vtable, confirmation_id);

    /* Enums are uint32_t in the ABI (the C# enums are uint-backed). */
    printf("enum size %zu\n", sizeof(volact_result));
    printf("bool size %zu\n", sizeof(bool));
    return 0;
}

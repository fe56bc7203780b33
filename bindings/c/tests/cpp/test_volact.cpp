// C++ use of libvolact through include/volact.h (cbindgen, cpp_compat): the header
// compiles as C++17, its enums and structs work, and the extern "C" names link.
//
// Built and run by bindings/c/tests/c_programs.rs (`cargo test -p volact-c`), also under
// valgrind. By hand:
//
//   cargo build -p volact-c
//   g++ -std=c++17 -Wall -Wextra -Werror -Ibindings/c/include
//       bindings/c/tests/cpp/test_volact.cpp -Ltarget/debug -lvolact
//       -Wl,-rpath,"$PWD/target/debug" -o /tmp/test_volact_cpp   (one line)
//   /tmp/test_volact_cpp
//
// The last line printed is `N passed, N failed`; the exit status is 1 on any failure.

#include "volact.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const char *what, int line) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        std::fprintf(stderr, "FAIL test_volact.cpp:%d: %s\n", line, what);
    }
}

#define CHECK(cond) check((cond), #cond, __LINE__)

// RAII for the key handle: the deleter is the library's own _free.
using KeyPtr = std::unique_ptr<volact_product_key, decltype(&volact_product_key_free)>;

struct Parsed {
    volact_result result;
    KeyPtr key;
};

Parsed parse(std::string_view text) {
    volact_product_key *raw = nullptr;
    volact_result r = volact_product_key_parse(reinterpret_cast<const std::uint8_t *>(text.data()),
                                               text.size(), &raw);
    return {r, KeyPtr(raw, &volact_product_key_free)};
}

// Calls one of the (buf, len, out_n) functions twice: (nullptr, 0) to learn the length, then
// with a buffer of that length plus the NUL.
template <typename F>
std::string text_out(F &&call) {
    std::size_t n = 0;
    volact_result r = call(nullptr, 0, &n);
    if (r != VOLACT_RESULT_BUFFER_TOO_SMALL) {
        return "<error " + std::to_string(static_cast<unsigned>(r)) + ">";
    }
    std::vector<char> buf(n + 1);
    r = call(buf.data(), buf.size(), &n);
    return r == VOLACT_RESULT_OK ? std::string(buf.data(), n) : "<error>";
}

std::string last_error() {
    char buf[512];
    std::size_t n = 0;
    return volact_last_error_message(buf, sizeof buf, &n) == VOLACT_RESULT_OK
               ? std::string(buf, n)
               : std::string("<no message>");
}

}  // namespace

// In C++ the enums are real enum types with a uint32_t base.
static_assert(std::is_same_v<std::underlying_type_t<volact_result>, std::uint32_t>);
static_assert(std::is_same_v<std::underlying_type_t<volact_algorithm>, std::uint32_t>);
static_assert(VOLACT_RESULT_OK == 0);
static_assert(VOLACT_RESULT_KEY_CHECKSUM == 104);
static_assert(std::is_standard_layout_v<volact_pkey2009>);
static_assert(std::is_trivially_copyable_v<volact_key_info>);

int main() {
    const std::string nppr9 = "NPPR9-FWDCX-D2C8J-H872K-2YT43";

    {
        Parsed p = parse(nppr9);
        CHECK(p.result == VOLACT_RESULT_OK);
        CHECK(p.key != nullptr);
        if (p.key) {
            volact_algorithm algorithm = VOLACT_ALGORITHM_NONE;
            CHECK(volact_product_key_algorithm(p.key.get(), &algorithm) == VOLACT_RESULT_OK);
            CHECK(algorithm == VOLACT_ALGORITHM_PKEY2009);

            volact_pkey2009 fields{};
            CHECK(volact_product_key_pkey2009(p.key.get(), &fields) == VOLACT_RESULT_OK);
            CHECK(fields.group_id == 3290);
            CHECK(fields.serial == 3);
            CHECK(fields.security == UINT64_C(0xF99457819D8C6));
            CHECK(fields.checksum == 0x33);

            const volact_product_key *k = p.key.get();
            CHECK(text_out([k](char *b, std::size_t l, std::size_t *n) {
                      return volact_product_key_masked(k, b, l, n);
                  }) == "XXXXX-XXXXX-XXXXX-XXXXX-2YT43");
            CHECK(text_out([k](char *b, std::size_t l, std::size_t *n) {
                      return volact_product_key_fingerprint(k, b, l, n);
                  }) == "aa6ab25a2bb1c69f3cc2802003310af8015bce5b69e83c5e6d8367eb9ae368ab");
            CHECK(text_out([k](char *b, std::size_t l, std::size_t *n) {
                      return volact_product_key_channel(k, b, l, n);
                  }) == "Volume:GVLK");

            std::size_t rows[4];
            std::size_t n = 0;
            CHECK(volact_product_key_catalog_rows(k, rows, 4, &n) == VOLACT_RESULT_OK);
            CHECK(n == 2);
            volact_catalog_row row{};
            CHECK(n >= 1 && volact_catalog_row_get(rows[0], &row) == VOLACT_RESULT_OK);
            CHECK(row.key != nullptr && nppr9 == row.key);
            CHECK(row.family != nullptr && std::string(row.family) == "Windows 11");
        }
    }  // the unique_ptr frees the handle here; valgrind would report a leak otherwise

    {
        // A failure leaves the handle empty, and unique_ptr's deleter then gets no call.
        Parsed p = parse("NPPR9-FWDCX-D2C8J-H872K-2YT44");
        CHECK(p.result == VOLACT_RESULT_KEY_CHECKSUM);
        CHECK(p.key == nullptr);
        CHECK(last_error().find("checksum mismatch") != std::string::npos);

        volact_key_info info{};
        const std::string bad = "NPPR9-FWDCX-D2C8J-H872K-2YT4A";
        CHECK(volact_key_inspect(reinterpret_cast<const std::uint8_t *>(bad.data()), bad.size(),
                                 &info) == VOLACT_RESULT_OK);
        CHECK(info.error == VOLACT_RESULT_KEY_INVALID_CHARACTER);
        CHECK(info.error_position == 28);
        CHECK(info.algorithm == VOLACT_ALGORITHM_NONE);
    }

    {
        volact_id_info info{};
        const std::string iid = "070846-984606-199354-110900-862045-444713-121295-109842-549701";
        CHECK(volact_id_check(reinterpret_cast<const std::uint8_t *>(iid.data()), iid.size(),
                              &info) == VOLACT_RESULT_OK);
        CHECK(info.error == VOLACT_RESULT_OK);
        CHECK(info.kind == VOLACT_ID_KIND_INSTALLATION_ID);
        CHECK(info.groups == 9 && info.group_len == 6);
        CHECK(info.rule_confirmed);
    }

    CHECK(volact_catalog_len() == 167);
    CHECK(text_out([](char *b, std::size_t l, std::size_t *n) {
              return volact_catalog_group_label(3311, b, l, n);
          }) == "Win 10 RTM Professional Volume:GVLK");
    CHECK(text_out([](char *b, std::size_t l, std::size_t *n) {
              return volact_result_message(VOLACT_RESULT_NULL_PARAMETER, b, l, n);
          }) == "a required pointer argument was NULL");
    CHECK(std::string(volact_version()) == std::to_string(VOLACT_VERSION_MAJOR) + "." +
                                               std::to_string(VOLACT_VERSION_MINOR) + "." +
                                               std::to_string(VOLACT_VERSION_PATCH));

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

// One version string: the project(... VERSION) of the top CMakeLists.txt, generated into
// base/version.h, is what every program prints.
#include "base/version.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "subprocess.h"

namespace {

TEST(VersionTest, GeneratedHeaderHoldsTheProjectVersion) {
  EXPECT_STREQ(base::kProjectVersion, CK_EXPECTED_VERSION);
  EXPECT_TRUE(std::regex_match(std::string(base::kProjectVersion), std::regex(R"(\d+\.\d+\.\d+)")))
      << base::kProjectVersion;
}

// `program args` exits 0 and prints exactly "NAME VERSION\n".
void ExpectPrintsVersion(const std::string& program, const std::string& arg,
                         const std::string& name) {
  cktest::ProcessResult r = cktest::RunProcess(program, {arg});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, name + " " + base::kProjectVersion + "\n");
}

TEST(VersionTest, KioskPrintsIt) { ExpectPrintsVersion(CK_KIOSK_PATH, "--version", "kiosk"); }

TEST(VersionTest, CardctlPrintsIt) {
  ExpectPrintsVersion(CK_CARDCTL_PATH, "version", "cardctl");
  ExpectPrintsVersion(CK_CARDCTL_PATH, "--version", "cardctl");
}

TEST(VersionTest, CardhubPrintsIt) {
  ExpectPrintsVersion(CK_CARDHUB_PATH, "version", "cardhub");
  ExpectPrintsVersion(CK_CARDHUB_PATH, "--version", "cardhub");
}

}  // namespace

#include <gtest/gtest.h>
#include <chrono>
#include <cstdlib>
#include "base/clock.h"
#include "base/fs.h"
#include "bundle/importer.h"
#include "bundle_fixture.h"
#include "subprocess.h"
TEST(Probe, Ops) {
  const char* e = std::getenv("PROBE_MEMBERS");
  if (!e) GTEST_SKIP();
  size_t n = std::strtoul(e, nullptr, 10);
  cktest::ScratchDir d;
  cktest::BundleFactory f(d.File("b"));
  auto t0 = std::chrono::steady_clock::now();
  auto b1 = f.Build({.seq = 1, .not_after = 4000000000, .extra_members = n, .seed = 1});
  auto b2 = f.Build({.seq = 2, .not_after = 4000000000, .extra_members = n, .seed = 2});
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(b1.ok() && b2.ok());
  std::string data = d.File("data");
  cktest::MakeDir(data);
  base::FakeClock clock(cktest::kFixtureNow);
  bundle::Importer imp(base::PosixFs(), clock, data, f.trusted());
  ASSERT_TRUE(imp.Apply(b1->path).ok());
  auto t2 = std::chrono::steady_clock::now();
  auto r = cktest::RunProcess(CK_BUNDLE_CHILD_PATH, {data, f.WriteTrustedKeyPem(), b2->path, "-1"});
  auto t3 = std::chrono::steady_clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count(); };
  printf("content %llu, build %lld ms, apply %lld ms, child %lld ms: %s %s\n", (unsigned long long)b2->manifest.content_size, (long long)ms(t0,t1), (long long)ms(t1,t2), (long long)ms(t2,t3), r.out.c_str(), r.Describe().c_str());
}

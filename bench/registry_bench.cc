// Member status lookups in an applied registry: the first lookup after opening (cold) and warm
// lookups of random rids, some present and some absent.
//
//   registry_bench --registry DIR/registry.db --secret FILE [--members N] [benchmark flags]
// The registry must come from bench/run_registry_bench.sh (members EDU-00000000 ... ).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "card/rid.h"
#include "registry/registry.h"

namespace {

std::string g_registry;
base::Bytes g_secret;
long g_members = 3'500'000;

std::vector<card::Rid> SampleRids(size_t n, bool present) {
  std::mt19937_64 rng(present ? 7 : 8);
  std::vector<card::Rid> out;
  char id[32];
  for (size_t i = 0; i < n; ++i) {
    const long k = static_cast<long>(rng() % static_cast<unsigned long>(g_members));
    std::snprintf(id, sizeof id, present ? "EDU-%08ld" : "NOPE-%08ld", k);
    out.push_back(card::ComputeRid(g_secret, id));
  }
  return out;
}

void BM_FindMemberWarm(benchmark::State& state, bool present) {
  auto reg = registry::Registry::Open(g_registry);
  if (!reg.ok()) {
    state.SkipWithError(reg.status().message().c_str());
    return;
  }
  const std::vector<card::Rid> rids = SampleRids(1 << 16, present);
  for (const auto& rid : rids) benchmark::DoNotOptimize((*reg)->FindMember(rid));  // warm the cache
  size_t i = 0;
  for (auto _ : state) {
    auto r = (*reg)->FindMember(rids[i++ & (rids.size() - 1)]);
    if (!r.ok() || r->has_value() != present) state.SkipWithError("unexpected lookup result");
    benchmark::DoNotOptimize(r);
  }
}

// Open + one lookup, with the page cache dropped of nothing (the OS cache stays warm: this is the
// cost of a kiosk starting up, not of a cold disk).
void BM_OpenAndFirstLookup(benchmark::State& state) {
  const std::vector<card::Rid> rids = SampleRids(1024, true);
  size_t i = 0;
  for (auto _ : state) {
    auto reg = registry::Registry::Open(g_registry);
    if (!reg.ok()) {
      state.SkipWithError(reg.status().message().c_str());
      return;
    }
    auto r = (*reg)->FindMember(rids[i++ % rids.size()]);
    benchmark::DoNotOptimize(r);
  }
}

BENCHMARK_CAPTURE(BM_FindMemberWarm, present, true);
BENCHMARK_CAPTURE(BM_FindMemberWarm, absent, false);
BENCHMARK(BM_OpenAndFirstLookup)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  std::string secret_path;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--registry") == 0 && i + 1 < argc) {
      g_registry = argv[++i];
    } else if (std::strcmp(argv[i], "--secret") == 0 && i + 1 < argc) {
      secret_path = argv[++i];
    } else if (std::strcmp(argv[i], "--members") == 0 && i + 1 < argc) {
      g_members = std::strtol(argv[++i], nullptr, 10);
    } else {
      rest.push_back(argv[i]);
    }
  }
  auto secret = card::LoadStatusSecret(secret_path);
  if (g_registry.empty() || !secret.ok()) {
    std::fprintf(stderr, "usage: registry_bench --registry FILE --secret FILE [--members N]\n");
    return 2;
  }
  g_secret = *secret;
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

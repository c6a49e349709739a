// The hub protocol module (protocol/): request signing and its check, hub URLs, the loopback rule.
#include <gtest/gtest.h>

#include <string>

#include "base/bytes.h"
#include "card/crypto.h"
#include "protocol/hub_url.h"
#include "protocol/paths.h"
#include "protocol/signing.h"

namespace {

// ---- Signing ----

TEST(SigningTest, SigningStringAndHeaderRoundTrip) {
  std::string s = ck_protocol::SigningString("GET", "/v1/bundle?x=1", 1700000000, {});
  EXPECT_EQ(s,
            "ckhub-v1\nGET\n/v1/bundle\n1700000000\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  card::PrivateKey key = card::PrivateKey::Generate(card::Alg::kEdDSA).value();
  card::PublicKey pub = key.Public().value();
  std::string body = "abc";
  base::Result<std::string> h =
      ck_protocol::SignRequest(key, "POST", "/v1/journal", 1700000000, base::AsBytes(body));
  ASSERT_TRUE(h.ok());
  base::Result<ck_protocol::DeviceAuth> a = ck_protocol::ParseAuthHeader(*h);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->kid, pub.kid());
  EXPECT_EQ(ck_protocol::FormatAuthHeader(*a), *h);
  EXPECT_TRUE(
      ck_protocol::VerifyRequest(pub, *a, "POST", "/v1/journal", base::AsBytes(body), 1700000100)
          .ok());
  EXPECT_FALSE(
      ck_protocol::VerifyRequest(pub, *a, "POST", "/v1/journal", base::AsBytes(body), 1700000301)
          .ok());
  EXPECT_FALSE(ck_protocol::VerifyRequest(pub, *a, "POST", "/v1/journal",
                                          base::AsBytes(std::string("x")), 1700000000)
                   .ok());
  EXPECT_FALSE(ck_protocol::ParseAuthHeader("Bearer x").ok());
  EXPECT_FALSE(ck_protocol::ParseAuthHeader("CK-Device kid=00, ts=1, sig=AA").ok());
  EXPECT_FALSE(ck_protocol::ParseAuthHeader("CK-Device kid=0011223344556677, ts=1").ok());
  for (size_t n = 0; n < 10; ++n) {
    base::Bytes b(n, 0xa5);
    EXPECT_EQ(ck_protocol::Base64UrlDecode(ck_protocol::Base64UrlEncode(b)).value(), b);
  }
  EXPECT_FALSE(ck_protocol::Base64UrlDecode("AB=").ok());
}

TEST(SigningTest, SigningStringIsTheDocumentedOne) {
  EXPECT_EQ(ck_protocol::SigningString("GET", "/v1/bundle", 1800000000, {}),
            "ckhub-v1\nGET\n/v1/bundle\n1800000000\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const uint8_t raw[] = {0xfb, 0xff, 0xfe};
  EXPECT_EQ(ck_protocol::Base64UrlEncode(raw), "-__-");
}

// What the client signs, the hub's check accepts, for that method and path only.
TEST(SigningTest, TheHubAcceptsWhatTheClientSends) {
  auto key = card::PrivateKey::Generate(card::Alg::kEdDSA);
  ASSERT_TRUE(key.ok());
  const std::string body = "CKJOURNL...";
  auto value =
      ck_protocol::SignRequest(*key, "POST", ck_protocol::kJournalPath, 1000, base::AsBytes(body));
  ASSERT_TRUE(value.ok());
  auto parsed = ck_protocol::ParseAuthHeader(*value);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(ck_protocol::VerifyRequest(*key->Public(), *parsed, "POST", "/v1/journal",
                                         base::AsBytes(body), 1000)
                  .ok());
  EXPECT_FALSE(ck_protocol::VerifyRequest(*key->Public(), *parsed, "GET", "/v1/journal",
                                          base::AsBytes(body), 1000)
                   .ok());
  EXPECT_FALSE(ck_protocol::VerifyRequest(*key->Public(), *parsed, "POST", "/hub/v1/journal",
                                          base::AsBytes(body), 1000)
                   .ok());
}

TEST(SigningTest, HeaderBlanksAroundTheValueAndItsParametersAreIgnored) {
  auto key = card::PrivateKey::Generate(card::Alg::kEdDSA);
  ASSERT_TRUE(key.ok());
  auto value = ck_protocol::SignRequest(*key, "GET", "/v1/bundle", 1000, {});
  ASSERT_TRUE(value.ok());
  std::string spaced = " \t" + *value + " \r\n";
  auto parsed = ck_protocol::ParseAuthHeader(spaced);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(ck_protocol::FormatAuthHeader(*parsed), *value);
  EXPECT_FALSE(ck_protocol::ParseAuthHeader("CK-Device").ok());
  EXPECT_FALSE(ck_protocol::ParseAuthHeader(*value + ", ts=1").ok()) << "a repeated parameter";
}

// ---- The loopback rule ----

TEST(LoopbackTest, LocalhostIpv6AndTheWhole127Block) {
  for (const char* host : {"localhost", "::1", "[::1]", "127.0.0.1", "127.0.0.0", "127.1.2.3",
                           "127.255.255.255", "127.0.10.200"}) {
    EXPECT_TRUE(ck_protocol::IsLoopbackHost(host)) << host;
  }
}

TEST(LoopbackTest, OnlyADottedQuadOfDecimalOctets) {
  for (const char* host : {"",
                           "127",
                           "127.",
                           "127.0.0",
                           "127.1",
                           "127.0.0.1.",
                           ".127.0.0.1",
                           "127.0.0.1.evil.org",
                           "127.evil.org",
                           "127.0.0.256",
                           "127.0.0.01",
                           "0127.0.0.1",
                           "127.0.0.1a",
                           "127.0.0.-1",
                           "127.0..1",
                           "127.0.0.1:80",
                           "128.0.0.1",
                           "10.0.0.1",
                           "0.0.0.0",
                           "0x7f.0.0.1",
                           "LOCALHOST",
                           "localhost.",
                           "::2",
                           "[::1",
                           "::ffff:127.0.0.1",
                           "example.org"}) {
    EXPECT_FALSE(ck_protocol::IsLoopbackHost(host)) << host;
  }
}

// ---- Hub URLs ----

TEST(HubUrlTest, ParsesSchemeHostAndPrefix) {
  auto u = ck_protocol::ParseHubUrl("https://hub.example.org:8443/union/");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_TRUE(u->https);
  EXPECT_EQ(u->base, "https://hub.example.org:8443");
  EXPECT_EQ(u->prefix, "/union");
  EXPECT_EQ(u->host, "hub.example.org");
  EXPECT_EQ(u->UrlOf(ck_protocol::kBundlePath), "https://hub.example.org:8443/union/v1/bundle");
  EXPECT_EQ(u->PathOf(ck_protocol::kJournalPath), "/union/v1/journal");

  auto plain = ck_protocol::ParseHubUrl("http://[::1]:9");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_FALSE(plain->https);
  EXPECT_EQ(plain->host, "[::1]");
  EXPECT_EQ(plain->prefix, "");
  EXPECT_EQ(plain->UrlOf(ck_protocol::kHealthPath), "http://[::1]:9/v1/health");
}

TEST(HubUrlTest, PlainHttpOnlyToLoopbackAndNothingOdd) {
  for (const char* ok : {"http://127.0.0.1:1", "http://localhost:8080/hub", "http://[::1]:9",
                         "http://127.3.2.1", "https://10.0.0.1", "https://hub.example.org"}) {
    EXPECT_TRUE(ck_protocol::ParseHubUrl(ok).ok()) << ok;
  }
  for (const char* bad :
       {"http://example.org", "http://10.0.0.1:80", "ftp://127.0.0.1", "http://127.0.0.1.evil.org",
        "http://127.1:80", "http://127.0.0.01", "https://", "http://user@127.0.0.1",
        "https://hub.example.org/?x=1", "https://hub.example.org/#f", "127.0.0.1:80"}) {
    auto u = ck_protocol::ParseHubUrl(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.status().code(), base::StatusCode::kInvalidArgument) << bad;
  }
  auto refused = ck_protocol::ParseHubUrl("http://example.org");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("loopback"), std::string::npos);
}

}  // namespace

// Status, Result<T>, the CK_TRY / CK_ASSIGN_OR_RETURN macros, and the file helpers of base/file.h.
#include "base/status.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/file.h"
#include "subprocess.h"

namespace {

using base::Result;
using base::Status;
using base::StatusCode;

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = base::NotFound("key.pem: no such file");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "key.pem: no such file");
  EXPECT_EQ(s.ToString(), "NOT_FOUND: key.pem: no such file");
}

TEST(StatusTest, HelpersSetTheirCodes) {
  EXPECT_EQ(base::InvalidArgument("x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(base::AlreadyExists("x").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(base::FailedPrecondition("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(base::OutOfRange("x").code(), StatusCode::kOutOfRange);
  EXPECT_EQ(base::Unauthenticated("x").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(base::PermissionDenied("x").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(base::DataLoss("x").code(), StatusCode::kDataLoss);
  EXPECT_EQ(base::Unavailable("x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(base::Internal("x").code(), StatusCode::kInternal);
}

TEST(StatusTest, CodeNamesAreStable) {
  EXPECT_EQ(base::StatusCodeName(StatusCode::kOk), "OK");
  EXPECT_EQ(base::StatusCodeName(StatusCode::kInvalidArgument), "INVALID_ARGUMENT");
  EXPECT_EQ(base::StatusCodeName(StatusCode::kOutOfRange), "OUT_OF_RANGE");
  EXPECT_EQ(base::StatusCodeName(StatusCode::kUnauthenticated), "UNAUTHENTICATED");
  EXPECT_EQ(base::StatusCodeName(StatusCode::kIo), "IO");
}

TEST(StatusTest, WithContextPrefixesTheMessageAndKeepsTheCode) {
  Status s = base::NotFound("no such file").WithContext("reading key.pem");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "reading key.pem: no such file");
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  Status s = Status::Ok().WithContext("anything");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, IoErrorNamesWhatAndErrno) {
  Status s = base::IoError("opening x", ENOENT);
  EXPECT_EQ(s.code(), StatusCode::kIo);
  EXPECT_EQ(s.message().rfind("opening x: ", 0), 0u) << s.message();
  EXPECT_GT(s.message().size(), std::string("opening x: ").size());
}

TEST(ResultTest, HoldsAValue) {
  Result<int> r(42);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(r.status().ok());
}

TEST(ResultTest, HoldsAnError) {
  Result<int> r(base::OutOfRange("too big"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(r.status().message(), "too big");
}

TEST(ResultTest, ArrowAndMoveOut) {
  Result<std::string> r(std::string("hello"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 5u);
  std::string s = std::move(r).value();
  EXPECT_EQ(s, "hello");
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 7);
}

Status FailIf(bool fail) { return fail ? base::DataLoss("broken") : Status::Ok(); }

Status TwoSteps(bool fail_first, bool fail_second, std::vector<int>* trace) {
  CK_TRY(FailIf(fail_first));
  trace->push_back(1);
  CK_TRY(FailIf(fail_second));
  trace->push_back(2);
  return Status::Ok();
}

TEST(MacroTest, TryContinuesOnOk) {
  std::vector<int> trace;
  EXPECT_TRUE(TwoSteps(false, false, &trace).ok());
  EXPECT_EQ(trace, (std::vector<int>{1, 2}));
}

TEST(MacroTest, TryReturnsTheFirstError) {
  std::vector<int> trace;
  Status s = TwoSteps(true, false, &trace);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "broken");
  EXPECT_TRUE(trace.empty());

  trace.clear();
  EXPECT_EQ(TwoSteps(false, true, &trace).code(), StatusCode::kDataLoss);
  EXPECT_EQ(trace, (std::vector<int>{1}));
}

Result<int> Half(int v) {
  if (v % 2 != 0) return base::InvalidArgument(std::to_string(v) + " is odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  CK_ASSIGN_OR_RETURN(int h, Half(v));
  CK_ASSIGN_OR_RETURN(int q, Half(h));  // two uses on different lines in one scope
  return q;
}

Status QuarterInto(int v, int* out) {
  CK_ASSIGN_OR_RETURN(*out, Quarter(v));
  return Status::Ok();
}

TEST(MacroTest, AssignOrReturnAssignsOnSuccess) {
  Result<int> r = Quarter(12);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3);
  int out = 0;
  EXPECT_TRUE(QuarterInto(20, &out).ok());
  EXPECT_EQ(out, 5);
}

TEST(MacroTest, AssignOrReturnPropagatesTheError) {
  Result<int> r = Quarter(6);  // 6 -> 3 -> odd
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "3 is odd");
  int out = -1;
  EXPECT_EQ(QuarterInto(7, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out, -1);
}

Result<std::unique_ptr<int>> MakeBox(int v) { return std::make_unique<int>(v); }

Result<int> Unbox(int v) {
  CK_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(v));
  return *box;
}

TEST(MacroTest, AssignOrReturnMovesMoveOnlyValues) {
  Result<int> r = Unbox(9);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 9);
}

// base/file.h, in a fresh temporary directory removed after each test.
class FileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.empty()) << "no temporary directory"; }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  cktest::TempDir tmp_;
  std::string dir_ = tmp_.path();
};

TEST_F(FileTest, WriteThenReadRoundTrip) {
  const std::string data("line 1\nbinary \0\xff end", 20);
  ASSERT_TRUE(base::WriteFileAtomic(Path("a.bin"), data).ok());
  Result<std::string> r = base::ReadFile(Path("a.bin"), 1024);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, data);
}

TEST_F(FileTest, ReadFileLimitIsInclusive) {
  ASSERT_TRUE(base::WriteFileAtomic(Path("ten"), "0123456789").ok());
  Result<std::string> at = base::ReadFile(Path("ten"), 10);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(*at, "0123456789");
  Result<std::string> over = base::ReadFile(Path("ten"), 9);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kOutOfRange);
}

TEST_F(FileTest, ReadFileMissingIsNotFound) {
  Result<std::string> r = base::ReadFile(Path("missing"), 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("missing"), std::string::npos);
}

TEST_F(FileTest, ReadFileRefusesADirectory) {
  Result<std::string> r = base::ReadFile(dir_, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileTest, WriteFileAtomicSetsTheModeExactly) {
  ASSERT_TRUE(base::WriteFileAtomic(Path("secret"), "k", 0600).ok());
  struct stat st {};
  ASSERT_EQ(::stat(Path("secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  ASSERT_TRUE(base::WriteFileAtomic(Path("public"), "k", 0644).ok());
  ASSERT_EQ(::stat(Path("public").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(FileTest, WriteNewFileCreatesWithTheModeAndNeverReplaces) {
  const mode_t old_umask = ::umask(077);
  ASSERT_TRUE(base::WriteNewFile(Path("card.png"), "first", 0644).ok());
  ::umask(old_umask);
  struct stat st {};
  ASSERT_EQ(::stat(Path("card.png").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);  // not narrowed by the umask
  base::Status again = base::WriteNewFile(Path("card.png"), "second");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("card.png"), std::string::npos) << again.message();
  Result<std::string> r = base::ReadFile(Path("card.png"), 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "first");
  EXPECT_FALSE(base::WriteNewFile(Path("no/such/dir/x"), "x").ok());
  // Only the one file: no temporary beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(FileTest, WriteFileAtomicReplacesAndLeavesNoTemporaryFiles) {
  ASSERT_TRUE(base::WriteFileAtomic(Path("f"), "old content, longer").ok());
  ASSERT_TRUE(base::WriteFileAtomic(Path("f"), "new", 0644, base::Durability::kDeferred).ok());
  Result<std::string> r = base::ReadFile(Path("f"), 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "new");
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    names.push_back(e.path().filename().string());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"f"}));
}

TEST_F(FileTest, WriteFileAtomicIntoMissingDirectoryFails) {
  Status s = base::WriteFileAtomic(Path("nodir/f"), "x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kIo);
}

TEST_F(FileTest, MakeDirsCreatesParentsAndIsIdempotent) {
  const std::string deep = Path("a/b/c");
  ASSERT_TRUE(base::MakeDirs(deep).ok());
  EXPECT_TRUE(std::filesystem::is_directory(deep));
  EXPECT_TRUE(base::MakeDirs(deep).ok());
  EXPECT_TRUE(base::MakeDirs(Path("a/b/c/")).ok());
}

TEST_F(FileTest, MakeDirsRefusesAFileAndAnEmptyPath) {
  ASSERT_TRUE(base::WriteFileAtomic(Path("plain"), "x").ok());
  EXPECT_FALSE(base::MakeDirs(Path("plain")).ok());
  EXPECT_EQ(base::MakeDirs("").code(), StatusCode::kInvalidArgument);
}

}  // namespace

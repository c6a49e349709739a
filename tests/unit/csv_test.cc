// The streaming CSV reader and the header mapper.
#include "base/csv.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

using base::CsvHeader;
using base::CsvReader;
using base::CsvRecord;

// Input for a CsvReader: an in-memory FILE* over a copy of `text` (fmemopen).
class MemFile {
 public:
  explicit MemFile(std::string text) : text_(std::move(text)) {
    f_ = text_.empty() ? std::fopen("/dev/null", "r") : ::fmemopen(text_.data(), text_.size(), "r");
  }
  ~MemFile() {
    if (f_ != nullptr) std::fclose(f_);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  std::FILE* get() const { return f_; }

 private:
  std::string text_;
  std::FILE* f_ = nullptr;
};

struct ReadAll {
  std::vector<CsvRecord> records;
  base::Status status;
};

ReadAll ReadCsv(const std::string& text) {
  MemFile file(text);
  EXPECT_NE(file.get(), nullptr);
  ReadAll out;
  if (file.get() == nullptr) return out;
  CsvReader reader(file.get(), "members.csv");
  CsvRecord rec;
  while (reader.Next(&rec)) out.records.push_back(rec);
  out.status = reader.status();
  return out;
}

using Fields = std::vector<std::string>;

TEST(CsvReaderTest, HeaderAndRows) {
  ReadAll r = ReadCsv("member_id,org,category\nM-1,RU-EDU-69,student\nM-2,RU-EDU-70,employee\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].fields, (Fields{"member_id", "org", "category"}));
  EXPECT_EQ(r.records[1].fields, (Fields{"M-1", "RU-EDU-69", "student"}));
  EXPECT_EQ(r.records[2].fields, (Fields{"M-2", "RU-EDU-70", "employee"}));
  EXPECT_EQ(r.records[0].line, 1u);
  EXPECT_EQ(r.records[1].line, 2u);
  EXPECT_EQ(r.records[2].line, 3u);
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  ReadAll r = ReadCsv("");
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.records.empty());
}

TEST(CsvReaderTest, EmptyFieldsAreKept) {
  ReadAll r = ReadCsv("a,,c,\n,\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].fields, (Fields{"a", "", "c", ""}));
  EXPECT_EQ(r.records[1].fields, (Fields{"", ""}));
}

TEST(CsvReaderTest, QuotedFieldsWithCommas) {
  ReadAll r = ReadCsv("name,org\n\"Ivanova, Anna\",\"RU,EDU\"\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].fields, (Fields{"Ivanova, Anna", "RU,EDU"}));
}

TEST(CsvReaderTest, DoubledQuotes) {
  ReadAll r = ReadCsv("\"say \"\"hi\"\"\",\"\"\"\",\"\"\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].fields, (Fields{"say \"hi\"", "\"", ""}));
}

TEST(CsvReaderTest, EmbeddedNewlinesKeepLineNumbersRight) {
  ReadAll r = ReadCsv("id,note\n1,\"two\nlines\"\n2,\"three\nmore\nlines\"\n3,x\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[1].fields, (Fields{"1", "two\nlines"}));
  EXPECT_EQ(r.records[2].fields, (Fields{"2", "three\nmore\nlines"}));
  EXPECT_EQ(r.records[3].fields, (Fields{"3", "x"}));
  EXPECT_EQ(r.records[1].line, 2u);
  EXPECT_EQ(r.records[2].line, 4u);
  EXPECT_EQ(r.records[3].line, 7u);
}

TEST(CsvReaderTest, CrLfLineEnds) {
  ReadAll r = ReadCsv("a,b\r\nc,\"d\"\r\ne,f\r\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(r.records[1].fields, (Fields{"c", "d"}));
  EXPECT_EQ(r.records[2].fields, (Fields{"e", "f"}));
  EXPECT_EQ(r.records[2].line, 3u);
}

TEST(CsvReaderTest, ByteOrderMarkIsSkipped) {
  ReadAll r = ReadCsv("\xef\xbb\xbfmember_id,org\nM-1,X\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].fields, (Fields{"member_id", "org"}));
  EXPECT_EQ(r.records[0].line, 1u);
  EXPECT_EQ(r.records[1].line, 2u);
}

TEST(CsvReaderTest, BrokenByteOrderMarkIsAnError) {
  ReadAll r = ReadCsv(
      "\xef\xbb"
      "a,b\n");
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(r.records.empty());
}

// A file may start with a character in U+F000..U+FFFF, whose UTF-8 form starts with EF like the
// byte-order mark does (here U+FF2E FULLWIDTH LATIN CAPITAL LETTER N).
TEST(CsvReaderTest, LeadingCharacterStartingWithEfIsNotABom) {
  ReadAll r = ReadCsv("\xef\xbc\xae,b\n1,2\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].fields, (Fields{"\xef\xbc\xae", "b"}));
}

TEST(CsvReaderTest, LastLineWithoutNewline) {
  ReadAll r = ReadCsv("a,b\nc,d");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].fields, (Fields{"c", "d"}));
  EXPECT_EQ(r.records[1].line, 2u);
}

TEST(CsvReaderTest, LastQuotedFieldWithoutNewline) {
  ReadAll r = ReadCsv("a,\"b, c\"");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].fields, (Fields{"a", "b, c"}));
}

TEST(CsvReaderTest, NonAsciiText) {
  ReadAll r = ReadCsv("name\nАнна Иванова\nӘлия\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[1].fields, (Fields{"Анна Иванова"}));
  EXPECT_EQ(r.records[2].fields, (Fields{"Әлия"}));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLine) {
  ReadAll r = ReadCsv("a,b\nc,d\ne,\"never closed\nmore\n");
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("members.csv:3:"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("unterminated"), std::string::npos) << r.status.message();
  EXPECT_EQ(r.records.size(), 2u);
}

TEST(CsvReaderTest, NulByteIsAnError) {
  ReadAll r = ReadCsv(std::string("a,b\nc,d\0e\n", 10));
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("members.csv:2:"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("NUL"), std::string::npos) << r.status.message();
  EXPECT_EQ(r.records.size(), 1u);
}

TEST(CsvReaderTest, InvalidUtf8NamesTheLine) {
  ReadAll r = ReadCsv("a,b\nc,d\ne,\xc0\x80\n");
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("members.csv:3:"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("UTF-8"), std::string::npos) << r.status.message();
  EXPECT_EQ(r.records.size(), 2u);
}

TEST(CsvReaderTest, InvalidUtf8AfterAMultiLineRecordNamesItsFirstLine) {
  ReadAll r = ReadCsv("a\n\"x\ny\"\n\xff\n");
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("members.csv:4:"), std::string::npos) << r.status.message();
}

CsvRecord Header(Fields fields) {
  CsvRecord rec;
  rec.line = 1;
  rec.fields = std::move(fields);
  return rec;
}

TEST(CsvHeaderTest, MapsColumnsToIndexes) {
  base::Result<CsvHeader> h = CsvHeader::Parse(Header({"org", " member_id ", "category", "extra"}),
                                               {"member_id", "org"}, "members.csv");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ((*h)["org"], 0u);
  EXPECT_EQ((*h)["member_id"], 1u);  // surrounding spaces are trimmed
  EXPECT_TRUE(h->Has("category"));
  EXPECT_TRUE(h->Has("extra"));
  EXPECT_FALSE(h->Has("name"));
  EXPECT_EQ(h->size(), 4u);
}

TEST(CsvHeaderTest, MissingColumnsAreAllListed) {
  base::Result<CsvHeader> h = CsvHeader::Parse(Header({"member_id", "note"}),
                                               {"member_id", "org", "category"}, "members.csv");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), base::StatusCode::kInvalidArgument);
  const std::string& m = h.status().message();
  EXPECT_NE(m.find("members.csv:1:"), std::string::npos) << m;
  EXPECT_NE(m.find("org, category"), std::string::npos) << m;
  EXPECT_EQ(m.find("member_id"), std::string::npos) << m;
}

TEST(CsvHeaderTest, DuplicateColumnIsAnError) {
  base::Result<CsvHeader> h =
      CsvHeader::Parse(Header({"member_id", "org", "member_id "}), {"member_id"}, "members.csv");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(h.status().message().find("'member_id'"), std::string::npos) << h.status().message();
  EXPECT_NE(h.status().message().find("twice"), std::string::npos) << h.status().message();
}

TEST(CsvHeaderTest, WorksWithARecordFromTheReader) {
  MemFile file("category,member_id\nstudent,M-7\n");
  ASSERT_NE(file.get(), nullptr);
  CsvReader reader(file.get(), "m.csv");
  CsvRecord rec;
  ASSERT_TRUE(reader.Next(&rec));
  base::Result<CsvHeader> h = CsvHeader::Parse(rec, {"member_id", "category"}, reader.name());
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_TRUE(reader.Next(&rec));
  EXPECT_EQ(rec.fields[(*h)["member_id"]], "M-7");
  EXPECT_EQ(rec.fields[(*h)["category"]], "student");
  EXPECT_FALSE(reader.Next(&rec));
  EXPECT_TRUE(reader.status().ok());
}

}  // namespace

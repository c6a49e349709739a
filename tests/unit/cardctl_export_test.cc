// The registry export reader: encodings, separators, quoting, header names, values and every
// refusal, on real files.
#include <gtest/gtest.h>
#include <iconv.h>

#include <fstream>
#include <string>
#include <vector>

#include "cardctl_export/columns.h"
#include "cardctl_export/encoding.h"
#include "cardctl_export/member_values.h"
#include "cardctl_export/members_export.h"
#include "cardctl_export/table.h"
#include "real_fs.h"
#include "subprocess.h"

namespace cardctl_export {
namespace {

// `text` converted by glibc's iconv.
std::string Iconv(const char* to, const char* from, const std::string& text) {
  iconv_t cd = iconv_open(to, from);
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string in = text, out(text.size() * 3 + 4, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  const size_t r = iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  EXPECT_NE(r, static_cast<size_t>(-1)) << text;
  out.resize(out.size() - ol);
  return out;
}

std::string ToCp1251(const std::string& utf8) { return Iconv("CP1251", "UTF-8", utf8); }

class ExportTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& bytes, const std::string& name = "members.csv") {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  base::Result<std::unique_ptr<Table>> Open(const std::string& bytes, ReadOptions o = {}) {
    return Table::Open(cktest::RealFs(), Write(bytes), o);
  }
  // All data rows of a table, or the error.
  std::vector<std::vector<std::string>> Rows(Table& t) {
    std::vector<std::vector<std::string>> out;
    Record rec;
    while (t.Next(&rec)) out.push_back(rec.fields);
    return out;
  }
  base::Result<std::vector<MemberExportRow>> Members(const std::string& bytes, MembersUse use,
                                                     ColumnOverrides cols = {}) {
    std::vector<MemberExportRow> rows;
    MembersExportOptions o{.columns = std::move(cols), .use = use};
    CK_ASSIGN_OR_RETURN(MembersExportSummary s, ReadMembersExport(cktest::RealFs(), Write(bytes), o,
                                                                  [&](const MemberExportRow& r) {
                                                                    rows.push_back(r);
                                                                    return base::Status::Ok();
                                                                  }));
    summary_ = s;
    return rows;
  }

  cktest::TempDir dir_;
  MembersExportSummary summary_;
};

const char kRussianHeader[] =
    "Номер члена профсоюза;ФИО;Первичная организация;Категория;Номер выпуска;Номер билета;Статус\n";

TEST(Cp1251Test, TableMatchesIconvForEveryByte) {
  iconv_t cd = iconv_open("UTF-8", "CP1251");
  ASSERT_NE(cd, reinterpret_cast<iconv_t>(-1));
  for (int b = 0x80; b <= 0xff; ++b) {
    if (b == 0x98) continue;  // unassigned in Windows-1251
    char in[1] = {static_cast<char>(b)};
    char out[8] = {};
    char* ip = in;
    char* op = out;
    size_t il = 1, ol = sizeof out;
    ASSERT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1)) << b;
    std::string mine;
    AppendCp1251AsUtf8(std::string(1, static_cast<char>(b)), &mine);
    EXPECT_EQ(mine, std::string(out, sizeof out - ol)) << "byte " << b;
  }
  iconv_close(cd);
}

// Long text is decoded eight ASCII bytes at a time: runs of every length and upper bytes at every
// position in a word must give what iconv gives for the whole text, appended after what *out held.
TEST(Cp1251Test, LongMixedTextMatchesIconv) {
  std::string in;
  for (int run = 0; run < 40; ++run) {
    in.append(static_cast<size_t>(run % 17), static_cast<char>('a' + run % 26));
    const int b = 0x80 + (run * 37) % 128;
    if (b != 0x98) in.push_back(static_cast<char>(b));
  }
  const std::string want = Iconv("UTF-8", "CP1251", in);
  std::string mine = "kept;";
  AppendCp1251AsUtf8(in, &mine);
  EXPECT_EQ(mine, "kept;" + want);
}
TEST(EncodingTest, DetectsUtf8Cp1251AndMixed) {
  EXPECT_EQ(*DetectEncoding("a,b\n1,2\n", "f"), Encoding::kUtf8);
  EXPECT_EQ(*DetectEncoding("ФИО\nАнна\n", "f"), Encoding::kUtf8);
  EXPECT_EQ(*DetectEncoding(ToCp1251("ФИО\nАнна Ёлкина\n"), "f"), Encoding::kCp1251);
  base::Result<Encoding> mixed = DetectEncoding("ФИО\n" + ToCp1251("Анна\n"), "m.csv");
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("m.csv:2: mixed encodings"), std::string::npos)
      << mixed.status().message();
}

TEST(EncodingTest, ForcedUtf8OnCp1251SaysWhichEncodingToTry) {
  base::Status st = CheckEncoding("id\n" + ToCp1251("Анна\n"), Encoding::kUtf8, "m.csv");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("m.csv:2:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("--encoding cp1251"), std::string::npos) << st.message();
  EXPECT_FALSE(CheckEncoding("a\x98", Encoding::kCp1251, "m.csv").ok());
  EXPECT_EQ(*ParseEncodingName("Windows-1251"), Encoding::kCp1251);
  EXPECT_EQ(*ParseEncodingName("UTF8"), Encoding::kUtf8);
  EXPECT_FALSE(ParseEncodingName("koi8-r").ok());
}

TEST(SeparatorTest, MostFrequentOutsideQuotes) {
  EXPECT_EQ(DetectSeparator("a;b;c"), ';');
  EXPECT_EQ(DetectSeparator("a,b,c"), ',');
  EXPECT_EQ(DetectSeparator("a\tb\tc"), '\t');
  EXPECT_EQ(DetectSeparator("\"a,b,c\";d"), ';');
  EXPECT_EQ(DetectSeparator("one"), ',');
}

TEST(NormalizeNameTest, CaseYoBlanksAndColon) {
  EXPECT_EQ(NormalizeName("  Учётный   НОМЕР: "), "учетный номер");
  EXPECT_EQ(NormalizeName("Member_ID"), "member_id");
  EXPECT_EQ(NormalizeName("ҚАЗАҚША ӘЛІППЕ"), "қазақша әліппе");
  EXPECT_EQ(NormalizeName("Ф.И.О."), "ф.и.о.");
}

TEST_F(ExportTest, Cp1251SemicolonQuotedWithBom) {
  auto t = Open(ToCp1251("ФИО;Орг\n\"Иванова; Анна\";\"ООО \"\"Ромашка\"\"\"\r\nПётр;X\n"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ((*t)->encoding(), Encoding::kCp1251);
  EXPECT_EQ((*t)->separator(), ';');
  EXPECT_EQ((*t)->header().fields, (std::vector<std::string>{"ФИО", "Орг"}));
  EXPECT_EQ(Rows(**t), (std::vector<std::vector<std::string>>{{"Иванова; Анна", "ООО \"Ромашка\""},
                                                              {"Пётр", "X"}}));
  auto bom = Open("\xef\xbb\xbfid\tname\n1\tАнна\n");
  ASSERT_TRUE(bom.ok()) << bom.status().message();
  EXPECT_EQ((*bom)->separator(), '\t');
  EXPECT_EQ((*bom)->header().fields[0], "id");
}

TEST_F(ExportTest, QuotedLineBreakKeepsLineNumbers) {
  auto t = Open("a,b\n\"x\ny\",1\nz,2\n");
  ASSERT_TRUE(t.ok());
  Record rec;
  ASSERT_TRUE((*t)->Next(&rec));
  EXPECT_EQ(rec.line, 2u);
  EXPECT_EQ(rec.fields[0], "x\ny");
  ASSERT_TRUE((*t)->Next(&rec));
  EXPECT_EQ(rec.line, 4u);
}

// The file is read a piece (1 MiB) at a time: rows, quoted fields with line breaks and doubled
// quotes, and line numbers come out the same wherever a piece ends; so do the encoding verdicts
// over the whole file (a mixed line far past the first piece is still refused before any row).
TEST_F(ExportTest, BigFileReadInPiecesGivesEveryRowAndLine) {
  std::string utf8 = "ФИО;Орг\n";
  std::vector<std::vector<std::string>> want;
  std::vector<size_t> lines;
  size_t line = 2;
  for (int i = 0; i < 150'000; ++i) {
    const std::string name = "Пётр Ёлкин " + std::to_string(i);
    if (i % 7 == 3) {
      utf8 += "\"" + name + ";\n\"\"в\"\"\";X\n";
      want.push_back({name + ";\n\"в\"", "X"});
      lines.push_back(line);
      line += 2;
    } else {
      utf8 += name + ";Y" + std::to_string(i) + "\r\n";
      want.push_back({name, "Y" + std::to_string(i)});
      lines.push_back(line);
      line += 1;
    }
  }
  ASSERT_GT(ToCp1251(utf8).size(), size_t{3} << 20);
  for (const std::string& bytes : {ToCp1251(utf8), "\xef\xbb\xbf" + utf8}) {
    auto t = Open(bytes);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    Record rec;
    size_t n = 0;
    while ((*t)->Next(&rec)) {
      ASSERT_LT(n, want.size());
      ASSERT_EQ(rec.fields, want[n]) << "row " << n;
      ASSERT_EQ(rec.line, lines[n]) << "row " << n;
      ++n;
    }
    EXPECT_TRUE((*t)->status().ok()) << (*t)->status().ToString();
    EXPECT_EQ(n, want.size());
  }
  auto mixed = Open(utf8 + ToCp1251("Анна;Z\n"));
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("mixed encodings"), std::string::npos);
  auto unclosed = Open(ToCp1251(utf8) + "\"open;1\n" + std::string(size_t{2} << 20, 'x') + "\n");
  ASSERT_TRUE(unclosed.ok());
  Rows(**unclosed);
  EXPECT_NE((*unclosed)->status().message().find(":" + std::to_string(line) +
                                                 ": a quote opened here is never closed"),
            std::string::npos)
      << (*unclosed)->status().message();
}

TEST_F(ExportTest, Refusals) {
  auto empty = Open("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty file"), std::string::npos);
  auto big = Open("a,b\n1,2\n", {.max_bytes = 4});
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("bytes"), std::string::npos);
  auto t = Open("a,b\n1,2\n\"open,3\n4,5\n");
  ASSERT_TRUE(t.ok());
  Rows(**t);
  EXPECT_NE((*t)->status().message().find(":3: a quote opened here is never closed"),
            std::string::npos)
      << (*t)->status().message();
  auto after = Open("a,b\n\"x\"y,1\n");
  ASSERT_TRUE(after.ok());
  Rows(**after);
  EXPECT_NE((*after)->status().message().find(":2: text after a closing quote"), std::string::npos);
  auto missing = Table::Open(cktest::RealFs(), dir_.File("nope.csv"));
  EXPECT_FALSE(missing.ok());
}

TEST_F(ExportTest, RussianHeadersAndValuesForIssue) {
  auto rows = Members(ToCp1251(std::string(kRussianHeader) +
                               "КУР-000500;Иванова Анна;ОРГ-1;работник;2;100;действует\n"
                               "КУР-000501;Пётр;ОРГ-1;Пенсионер;1;;выбыл\n"),
                      MembersUse::kIssue);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].member_id, "КУР-000500");
  EXPECT_EQ((*rows)[0].name, "Иванова Анна");
  EXPECT_EQ((*rows)[0].category, card::Category::kEmployee);
  EXPECT_EQ((*rows)[0].serial, 2u);
  EXPECT_EQ((*rows)[1].category, card::Category::kRetired);
  EXPECT_EQ(summary_.rows, 2u);
  EXPECT_EQ(summary_.Describe().substr(0, 30), "Windows-1251, ';', 2 rows, col");
}

TEST_F(ExportTest, BundleUseDefaultsStatusAndMinSerial) {
  auto rows = Members("member_id,serial,min_serial,status\nA,3,,\nB,3,1,suspended\nC,,,\n",
                      MembersUse::kBundle);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ((*rows)[0].state, card::MemberState::kActive);
  EXPECT_EQ((*rows)[0].min_serial, 3u);  // a reissued card invalidates the older ones
  EXPECT_EQ((*rows)[1].min_serial, 1u);
  EXPECT_EQ((*rows)[1].state, card::MemberState::kSuspended);
  EXPECT_EQ((*rows)[2].min_serial, 0u);
  auto old_format = Members("member_id,status,min_serial\nM1,revoked,\n", MembersUse::kBundle);
  ASSERT_TRUE(old_format.ok()) << old_format.status().message();
  EXPECT_EQ((*old_format)[0].state, card::MemberState::kRevoked);
}

TEST_F(ExportTest, BadValuesNameFileLineColumnAndWhatIsAccepted) {
  auto rows = Members(std::string(kRussianHeader) +
                          "1;A;O;волшебник;1;;\n"
                          "2;B;O;0;x;;\n"
                          "3;C;O;0;1;;спит\n"
                          "4;D;O;0;1\n",
                      MembersUse::kBundle);
  ASSERT_FALSE(rows.ok());
  const std::string& m = rows.status().message();
  EXPECT_NE(m.find("members.csv:3: column 'Номер выпуска' (serial): found 'x'"), std::string::npos)
      << m;
  EXPECT_NE(m.find("members.csv:4: column 'Статус' (status): found 'спит', accepted active"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("members.csv:5: expected 7 fields"), std::string::npos) << m;
  auto issue = Members(std::string(kRussianHeader) + "1;A;O;волшебник;1;;\n", MembersUse::kIssue);
  ASSERT_FALSE(issue.ok());
  EXPECT_NE(issue.status().message().find(
                "members.csv:2: column 'Категория' (category): found 'волшебник', accepted 0-3"),
            std::string::npos)
      << issue.status().message();
}

TEST_F(ExportTest, HeaderRefusals) {
  auto missing = Members("id,фио\n1,A\n", MembersUse::kIssue);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("members.csv:1: header lacks column(s) org"),
            std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("--columns"), std::string::npos);
  auto repeated = Members("id,name,ID\n1,A,1\n", MembersUse::kLookup);
  ASSERT_FALSE(repeated.ok());
  EXPECT_NE(repeated.status().message().find("header 'ID' repeated (columns 1 and 3)"),
            std::string::npos)
      << repeated.status().message();
  auto two = Members("id,учетный номер\n1,1\n", MembersUse::kLookup);
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("both map to member_id"), std::string::npos)
      << two.status().message();
  auto only_header = Members("id\n", MembersUse::kLookup);
  EXPECT_FALSE(only_header.ok());
}

TEST_F(ExportTest, ColumnsFileMapsOtherHeaderNames) {
  auto cols = ParseColumnsFile("# AIS 2.0\nmember_id = Таб. №\nname=Сотрудник\n", "c.txt",
                               AllMemberFields());
  ASSERT_TRUE(cols.ok()) << cols.status().message();
  auto rows = Members("Таб. №;Сотрудник;Прочее\n77;Анна;x\n", MembersUse::kLookup, *cols);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ((*rows)[0].member_id, "77");
  EXPECT_EQ((*rows)[0].name, "Анна");
  auto bad = ParseColumnsFile("colour = x\n", "c.txt", AllMemberFields());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("c.txt:1: unknown field 'colour'"), std::string::npos);
  EXPECT_FALSE(ParseColumnsFile("member_id\n", "c.txt", AllMemberFields()).ok());
}

TEST(MemberValuesTest, IdsCategoriesStatuses) {
  EXPECT_TRUE(CheckMemberId("КУР-000500").ok());
  EXPECT_TRUE(CheckMemberId("12/345 A").ok());
  EXPECT_FALSE(CheckMemberId("").ok());
  EXPECT_FALSE(CheckMemberId(std::string(65, 'a')).ok());
  EXPECT_FALSE(CheckMemberId("a\tb").ok());
  EXPECT_FALSE(CheckMemberId(" a").ok());
  EXPECT_EQ(*ParseCategoryValue("Работник аппарата"), card::Category::kUnionStaff);
  EXPECT_EQ(*ParseCategoryValue("СТУДЕНТ"), card::Category::kStudent);
  EXPECT_EQ(*ParseCategoryValue("3"), card::Category::kUnionStaff);
  EXPECT_FALSE(ParseCategoryValue("4").ok());
  EXPECT_EQ(*ParseStatusValue("Исключён"), card::MemberState::kRevoked);
  EXPECT_EQ(*ParseStatusValue("Приостановлен"), card::MemberState::kSuspended);
  EXPECT_EQ(*ParseStatusValue(""), card::MemberState::kActive);
  EXPECT_FALSE(ParseSerialValue("-1").ok());
  EXPECT_EQ(GroupThousands(3500000), "3,500,000");
  EXPECT_EQ(GroupThousands(999), "999");
}

}  // namespace
}  // namespace cardctl_export

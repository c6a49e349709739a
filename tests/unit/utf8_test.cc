// Strict UTF-8 validation and control-character detection.
#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using base::HasControlChars;
using base::IsValidUtf8;

TEST(IsValidUtf8Test, AsciiAndEmpty) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("RU-EDU-69"));
  EXPECT_TRUE(IsValidUtf8(std::string_view("\0", 1)));
  EXPECT_TRUE(IsValidUtf8("\x7f"));
}

TEST(IsValidUtf8Test, TwoThreeAndFourByteSequences) {
  EXPECT_TRUE(IsValidUtf8("Анна И."));           // Cyrillic, 2 bytes each
  EXPECT_TRUE(IsValidUtf8("Әлия Қ."));           // Kazakh letters
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));      // U+20AC euro sign
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));  // U+1F600 emoji
  EXPECT_TRUE(IsValidUtf8("a\xf0\x9f\x98\x80z"));
}

TEST(IsValidUtf8Test, BoundaryCodePoints) {
  EXPECT_TRUE(IsValidUtf8("\xc2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(IsValidUtf8("\xdf\xbf"));          // U+07FF
  EXPECT_TRUE(IsValidUtf8("\xe0\xa0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(IsValidUtf8("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xee\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xef\xbf\xbf"));      // U+FFFF
  EXPECT_TRUE(IsValidUtf8("\xf0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the last code point
}

TEST(IsValidUtf8Test, OverlongFormsAreRefused) {
  EXPECT_FALSE(IsValidUtf8("\xc0\x80"));          // NUL, 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xc1\xbf"));          // U+007F, 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // '/', 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xe0\x9f\xbf"));      // U+07FF, 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xf0\x8f\xbf\xbf"));  // U+FFFF, 4 bytes
}

TEST(IsValidUtf8Test, SurrogatesAreRefused) {
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));              // U+D800
  EXPECT_FALSE(IsValidUtf8("\xed\xbf\xbf"));              // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\xbd\xed\xb8\x80"));  // CESU-8 style pair
}

TEST(IsValidUtf8Test, AboveU10FFFFAndInvalidLeadBytesAreRefused) {
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xf7\xbf\xbf\xbf"));
  EXPECT_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xfe"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

TEST(IsValidUtf8Test, StrayContinuationBytesAreRefused) {
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("a\xbf"));
  EXPECT_FALSE(IsValidUtf8("\xc3\xa9\xa9"));
}

TEST(IsValidUtf8Test, TruncatedSequencesAreRefused) {
  EXPECT_FALSE(IsValidUtf8("\xd0"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xf0\x9f\x98"));
  EXPECT_FALSE(IsValidUtf8("abc\xf0\x9f"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x82z"));  // continuation replaced by ASCII
}

TEST(HasControlCharsTest, PrintableTextHasNone) {
  EXPECT_FALSE(HasControlChars(""));
  EXPECT_FALSE(HasControlChars("Anna I. (No 12/34)"));
  EXPECT_FALSE(HasControlChars("Анна И."));
  EXPECT_FALSE(HasControlChars("\xf0\x9f\x98\x80"));
}

TEST(HasControlCharsTest, C0AndDelAreFound) {
  EXPECT_TRUE(HasControlChars("a\nb"));
  EXPECT_TRUE(HasControlChars("\t"));
  EXPECT_TRUE(HasControlChars("\x1b[31m"));  // terminal escape
  EXPECT_TRUE(HasControlChars("x\x7f"));
  EXPECT_TRUE(HasControlChars(std::string_view("a\0b", 3)));
  EXPECT_TRUE(HasControlChars("\x1f"));
  EXPECT_FALSE(HasControlChars(" "));
}

}  // namespace

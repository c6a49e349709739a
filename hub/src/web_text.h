// The words of the admin pages in English, Russian and Kazakh (web_text.cc holds the table).
#pragma once

#include <string_view>

namespace hub::web {

enum class Lang { kEn, kRu, kKk };

// "en" | "ru" | "kk"
std::string_view LangCode(Lang l);
// A `lang` cookie or query value; false (and *out untouched) when it is none of the three.
bool ParseLang(std::string_view code, Lang* out);
// The first of ru, kk, en named in an Accept-Language header (by q order), else English.
Lang FromAcceptLanguage(std::string_view header);

// The text for `key` in `lang`; "(?)" when the table lacks the key (TableComplete checks that
// every key of the table has all three languages).
std::string_view T(Lang lang, std::string_view key);
// True when every key of the table has text in every language.
bool TableComplete();

}  // namespace hub::web

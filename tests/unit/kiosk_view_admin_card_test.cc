// The screens of an admin card, on the view data: a refused card says why in the screen's
// language (expired, withdrawn, unknown key), never as a member card would; an accepted one names
// its holder; the admin menu opened by a card says whose it is.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "kiosk/outcome.h"
#include "kiosk/session.h"
#include "kiosk_settings/strings.h"
#include "kiosk_settings/theme.h"
#include "kiosk_ui/view.h"

namespace kiosk_ui {
namespace {

class AdminCardViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::string_view lang : kiosk_settings::kLanguages) {
      auto s = kiosk_settings::Strings::Load(std::string(CK_ASSETS_DIR) + "/i18n", lang);
      ASSERT_TRUE(s.ok()) << s.status().message();
      ASSERT_TRUE(s->Missing().empty()) << lang;
      strings_.push_back(std::move(*s));
    }
    model_.now = 1'790'000'000;
    model_.status.has_registry = true;
  }
  void ShowAdminCard(std::string verdict, std::string decision, kiosk::Outcome outcome) {
    model_.screen.state = kiosk::State::kResult;
    model_.screen.admin_card = true;
    model_.screen.verdict = std::move(verdict);
    model_.screen.decision = std::move(decision);
    model_.screen.outcome = outcome;
  }
  View Build(size_t lang) { return BuildView(model_, strings_[lang], theme_, 800, 480); }

  std::vector<kiosk_settings::Strings> strings_;  // ru, en, kk
  kiosk_settings::Theme theme_;
  Model model_;
};

TEST_F(AdminCardViewTest, ARefusedAdminCardSaysWhyInEveryLanguage) {
  struct Case {
    const char* code;
    const char* ru;
    const char* en;
    const char* kk;
  };
  const Case cases[] = {
      {"EXPIRED", "Срок действия карты администратора истёк", "This admin card has expired",
       "Әкімші картасының мерзімі өтті"},
      {"REVOKED", "Карта администратора отозвана", "This admin card has been withdrawn",
       "Әкімші картасы кері қайтарылды"},
      {"UNKNOWN_KEY", "Карта администратора подписана ключом, которого нет в реестре",
       "This admin card is signed by a key the registry does not list",
       "Әкімші картасы тізілімде жоқ кілтпен қол қойылған"},
  };
  for (const Case& c : cases) {
    ShowAdminCard(c.code, c.code, kiosk::Outcome::kInvalid);
    const std::vector<const char*> words = {c.ru, c.en, c.kk};
    for (size_t lang = 0; lang < words.size(); ++lang) {
      View v = Build(lang);
      EXPECT_EQ(v.name, std::string("result-") + c.code);
      EXPECT_TRUE(v.Shows(words[lang])) << c.code << "\n" << v.AllText();
      EXPECT_TRUE(v.Shows(c.code)) << v.AllText();  // the code, as on every refusal
    }
    // Not the member card's words ("Срок действия карты истёк").
    EXPECT_FALSE(Build(0).Shows(strings_[0].Get(std::string("verdict.") + c.code)))
        << Build(0).AllText();
  }
  EXPECT_TRUE(Build(0).Shows("НЕДЕЙСТВИТЕЛЬНА")) << Build(0).AllText();
}

TEST_F(AdminCardViewTest, AnAcceptedAdminCardNamesItsHolder) {
  ShowAdminCard("VALID", kiosk::kAdminCardAccepted, kiosk::Outcome::kValid);
  model_.screen.name = "Ирина Петровна";
  EXPECT_TRUE(Build(0).Shows("Карта администратора: Ирина Петровна")) << Build(0).AllText();
  EXPECT_FALSE(Build(1).Shows("Discount applied")) << Build(1).AllText();
}

TEST_F(AdminCardViewTest, TheMenuOpenedByACardSaysWhoseItIs) {
  model_.app = AppScreen::kAdmin;
  model_.notice = strings_[0].Format("admin_card.opened", {{"name", "Ирина Петровна"}});
  View v = Build(0);
  EXPECT_EQ(v.name, "admin");
  EXPECT_TRUE(v.Shows("Карта администратора: Ирина Петровна")) << v.AllText();
  model_.app = AppScreen::kPin;
  model_.notice = strings_[1].Format("admin_card.pin", {{"name", "Irina"}});
  EXPECT_TRUE(Build(1).Shows("Admin card: Irina. Enter the PIN")) << Build(1).AllText();
}

}  // namespace
}  // namespace kiosk_ui

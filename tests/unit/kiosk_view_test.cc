// What each kiosk screen shows and where its buttons are, checked on the view data (no pixels):
// the words a cashier or a volunteer reads, colour never the only signal, keypad editing.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kiosk/outcome.h"
#include "kiosk_settings/strings.h"
#include "kiosk_settings/theme.h"
#include "kiosk_ui/view.h"
#include "rules/events.h"
#include "rules/offers.h"
#include "scanner/qr_codec.h"

namespace kiosk_ui {
namespace {

class ViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::string_view lang : kiosk_settings::kLanguages) {
      auto s = kiosk_settings::Strings::Load(std::string(CK_ASSETS_DIR) + "/i18n", lang);
      ASSERT_TRUE(s.ok()) << s.status().message();
      strings_.push_back(std::move(*s));
    }
    model_.now = 1'790'000'000;
    model_.utc_offset_seconds = 3 * 3600;
    model_.status.has_registry = true;
    model_.status.registry_seq = 7;
    model_.status.registry_created = model_.now - 2 * 3600;
    model_.status.registry_not_after = model_.now + 30 * 86400;
    model_.status.place = "Book House";
  }
  const kiosk_settings::Strings& En() { return strings_[1]; }
  const kiosk_settings::Strings& Ru() { return strings_[0]; }
  // A result screen as the session leaves it.
  void ShowResult(std::string verdict, std::string decision, Outcome outcome) {
    model_.screen.state = kiosk::State::kResult;
    model_.screen.verdict = std::move(verdict);
    model_.screen.decision = std::move(decision);
    model_.screen.outcome = outcome;
  }
  View Build(const kiosk_settings::Strings& s, int w = 800, int h = 480) {
    return BuildView(model_, s, theme_, w, h);
  }

  std::vector<kiosk_settings::Strings> strings_;
  kiosk_settings::Theme theme_;
  Model model_;
};

TEST_F(ViewTest, IdleShowsInstructionsPlaceAndRegistryFreshness) {
  View v = Build(En());
  EXPECT_EQ(v.name, "idle");
  EXPECT_TRUE(v.Shows("Show your membership card")) << v.AllText();
  EXPECT_TRUE(v.Shows("Book House"));
  EXPECT_TRUE(v.Shows("Registry #7")) << v.AllText();
  EXPECT_TRUE(v.Shows("2 h ago")) << v.AllText();
  EXPECT_TRUE(v.Shows("USB sync"));  // no hub configured
  EXPECT_NE(v.Button("admin"), nullptr);
}

TEST_F(ViewTest, IdleWarnsWithoutRegistryOrWhenStale) {
  model_.status.has_registry = false;
  EXPECT_TRUE(Build(En()).Shows("No registry")) << Build(En()).AllText();
  model_.status.has_registry = true;
  model_.status.registry_stale = true;
  EXPECT_TRUE(Build(En()).Shows("out of date"));
}

TEST_F(ViewTest, IdleShowsOnlineOrOffline) {
  model_.status.network = true;
  model_.status.last_sync = 0;
  EXPECT_TRUE(Build(En()).Shows("Offline"));
  model_.status.last_sync = model_.now - 60;
  EXPECT_TRUE(Build(En()).Shows("Online")) << Build(En()).AllText();
}

TEST_F(ViewTest, CameraPreviewWithAimingFrameOnlyWhileTheCameraRuns) {
  model_.status.camera = true;
  model_.status.camera_running = true;
  View v = Build(En());
  int previews = 0, outlines = 0;
  for (const Element& e : v.elements) {
    previews += e.kind == Kind::kPreview;
    outlines += e.kind == Kind::kOutline;
  }
  EXPECT_EQ(previews, 1);
  EXPECT_EQ(outlines, 1);
  model_.status.camera_running = false;
  v = Build(En());
  EXPECT_TRUE(v.Shows("Camera not available")) << v.AllText();
}

TEST_F(ViewTest, RefusedCardIsRedWithWordsAndCode) {
  ShowResult("EXPIRED", "EXPIRED", Outcome::kInvalid);
  View v = Build(En());
  EXPECT_EQ(v.name, "result-EXPIRED");
  EXPECT_EQ(v.background, theme_.invalid);
  EXPECT_TRUE(v.Shows("INVALID"));
  EXPECT_FALSE(v.Shows("VALID"));
  EXPECT_TRUE(v.Shows("Card expired"));
  EXPECT_TRUE(v.Shows("Code: EXPIRED"));
  View ru = Build(Ru());
  EXPECT_FALSE(ru.Shows("Card expired"));
  EXPECT_TRUE(ru.Shows("EXPIRED"));  // the code stays the same in every language
}

TEST_F(ViewTest, AcceptedDiscountShowsTotalsNameAndRecord) {
  ShowResult("VALID", "accepted", Outcome::kValid);
  model_.screen.name = "Anna I.";
  model_.screen.number_masked = "******2345";
  model_.screen.purchase_minor = 125000;
  model_.screen.discount_minor = 12500;
  model_.screen.total_minor = 112500;
  model_.screen.entry_seq = 42;
  model_.screen.entry_uuid = "u";
  View v = Build(En());
  EXPECT_EQ(v.background, theme_.valid);
  EXPECT_TRUE(v.Shows("VALID"));
  EXPECT_FALSE(v.Shows("INVALID"));
  EXPECT_TRUE(v.Shows("Discount applied"));
  EXPECT_TRUE(v.Shows("Anna I."));
  EXPECT_TRUE(v.Shows("******2345"));
  EXPECT_TRUE(v.Shows("1,125.00")) << v.AllText();
  EXPECT_TRUE(v.Shows("no. 42"));
  EXPECT_NE(v.Button("close"), nullptr);
}

TEST_F(ViewTest, DeviceProblemsAreAmberNotRed) {
  ShowResult("", "NO_REGISTRY", Outcome::kCannotCheck);
  View v = Build(En());
  EXPECT_EQ(v.background, theme_.warning);
  EXPECT_TRUE(v.Shows("CANNOT CHECK"));
  EXPECT_TRUE(v.Shows("No registry on this device"));
}

TEST_F(ViewTest, EventScreensWelcomeRepeatAndCount) {
  model_.mode = kiosk::Mode::kEvent;
  model_.status.attendance = 41;
  EXPECT_TRUE(Build(En()).Shows("Checked in: 41"));
  ShowResult("VALID", "accepted", Outcome::kValid);
  model_.screen.name = "Boris K.";
  model_.screen.attendance = 42;
  EXPECT_TRUE(Build(En()).Shows("Welcome, Boris K.!"));
  EXPECT_TRUE(Build(En()).Shows("Checked in: 42"));
  ShowResult("VALID", "ALREADY_CHECKED_IN", Outcome::kRefusedByRule);
  model_.screen.first_entry = 1'790'000'000 - 600;  // 10 minutes earlier, UTC+3
  View v = Build(En());
  EXPECT_TRUE(v.Shows("Already checked in at " + LocalClock(model_.screen.first_entry, 3 * 3600)))
      << v.AllText();
  EXPECT_EQ(v.background, theme_.warning);
  ShowResult("VALID", "NOT_REGISTERED", Outcome::kInvalid);
  EXPECT_EQ(Build(En()).background, theme_.invalid);
  EXPECT_TRUE(Build(En()).Shows("Not registered"));
}

TEST_F(ViewTest, AmountScreenHasKeypadOkCancelAndTypedAmount) {
  model_.screen.state = kiosk::State::kAmountEntry;
  model_.entry = "1250,5";
  View v = Build(En());
  for (const char* id : {"key_0", "key_1", "key_9", "key_,", "key_back", "ok", "cancel"})
    EXPECT_NE(v.Button(id), nullptr) << id;
  // As typed, in the money format of the confirm screen (was "1250,5": two formats on two screens).
  EXPECT_TRUE(v.Shows("1,250.5 ₽")) << v.AllText();
  EXPECT_TRUE(Build(Ru()).Shows("1 250,5 ₽")) << Build(Ru()).AllText();
  // Buttons do not overlap: each centre hits its own button.
  for (const Element& e : v.elements) {
    if (e.kind != Kind::kButton) continue;
    const Element* hit = v.ButtonAt(e.rect.x + e.rect.w / 2, e.rect.y + e.rect.h / 2);
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(hit->id, e.id);
  }
}

TEST_F(ViewTest, ConfirmShowsPurchaseDiscountAndTotal) {
  model_.screen.state = kiosk::State::kConfirm;
  model_.screen.purchase_minor = 100000;
  model_.screen.discount_minor = 10000;
  model_.screen.total_minor = 90000;
  View v = Build(Ru());
  EXPECT_TRUE(v.Shows("1 000,00")) << v.AllText();
  EXPECT_TRUE(v.Shows("900,00"));
  EXPECT_NE(v.Button("confirm"), nullptr);
  EXPECT_NE(v.Button("cancel"), nullptr);
}

// A cashback offer: the till charges it all, and both screens say what the member earns.
TEST_F(ViewTest, CashbackIsShownOnTheConfirmAndResultScreensInEveryLanguage) {
  model_.screen.state = kiosk::State::kConfirm;
  model_.screen.purchase_minor = 125000;
  model_.screen.cashback_minor = 12500;
  model_.screen.total_minor = 125000;
  struct Case {
    const kiosk_settings::Strings& s;
    std::string cashback, total, accepted;
  };
  const Case cases[] = {
      {Ru(), "Кэшбэк: 125,00 ₽", "1 250,00 ₽", "Кэшбэк начислен"},
      {En(), "Cashback: 125.00 ₽", "1,250.00 ₽", "Cashback earned"},
      {strings_[2], "Кэшбэк: 125,00 ₽", "1 250,00 ₽", "Кэшбэк есептелді"},
  };
  for (const Case& c : cases) {
    model_.screen.state = kiosk::State::kConfirm;
    model_.screen.outcome = Outcome::kCannotCheck;
    model_.screen.decision.clear();
    View confirm = Build(c.s);
    EXPECT_TRUE(confirm.Shows(c.cashback)) << confirm.AllText();
    EXPECT_TRUE(confirm.Shows(c.total)) << confirm.AllText();
    EXPECT_FALSE(confirm.Shows(std::string(c.s.Get("confirm.discount")))) << confirm.AllText();
    EXPECT_TRUE(confirm.Shows(std::string(c.s.Get("confirm.cashback_note")))) << confirm.AllText();
    ShowResult("VALID", "accepted", Outcome::kValid);
    View result = Build(c.s);
    EXPECT_TRUE(result.Shows(c.cashback)) << result.AllText();
    EXPECT_TRUE(result.Shows(c.accepted)) << result.AllText();
  }
  // Cut to the offer's maximum: said as cashback, not as a discount.
  model_.screen.state = kiosk::State::kConfirm;
  model_.screen.clip = rules::DiscountClip::kMaxDiscount;
  model_.screen.clip_minor = 12500;
  EXPECT_TRUE(Build(Ru()).Shows("Кэшбэк не больше 125,00 ₽"))
      << Build(Ru()).AllText();
  model_.screen.clip = rules::DiscountClip::kCapLeft;
  EXPECT_TRUE(Build(En()).Shows("What is left of the cashback limit: 125.00 ₽"))
      << Build(En()).AllText();
}

TEST_F(ViewTest, EveryAmountHasTheConfiguredCurrency) {
  model_.currency = "₸";
  model_.screen.state = kiosk::State::kAmountEntry;
  model_.entry = "1250";
  EXPECT_TRUE(Build(strings_[2]).Shows("1 250 ₸")) << Build(strings_[2]).AllText();
  model_.screen.state = kiosk::State::kConfirm;
  model_.screen.purchase_minor = 125000;
  model_.screen.discount_minor = 12500;
  model_.screen.total_minor = 112500;
  const View v = Build(strings_[2]);
  EXPECT_TRUE(v.Shows("1 250,00 ₸")) << v.AllText();
  EXPECT_TRUE(v.Shows("1 125,00 ₸")) << v.AllText();
  EXPECT_FALSE(v.Shows("₽")) << v.AllText();
}

TEST_F(ViewTest, AClippedDiscountSaysWhy) {
  model_.screen.state = kiosk::State::kConfirm;
  model_.screen.purchase_minor = 1'000'000;
  model_.screen.discount_minor = 50'000;
  model_.screen.total_minor = 950'000;
  model_.screen.clip = rules::DiscountClip::kMaxDiscount;
  model_.screen.clip_minor = 50'000;
  EXPECT_TRUE(Build(Ru()).Shows("Скидка не больше 500,00 ₽"))
      << Build(Ru()).AllText();
  EXPECT_TRUE(Build(En()).Shows("Discount at most 500.00 ₽")) << Build(En()).AllText();
  model_.screen.clip = rules::DiscountClip::kCapLeft;
  model_.screen.clip_minor = 3'000;
  EXPECT_TRUE(Build(Ru()).Shows("Остаток лимита скидок: 30,00 ₽"))
      << Build(Ru()).AllText();
  model_.screen.clip = rules::DiscountClip::kNone;
  EXPECT_FALSE(Build(Ru()).Shows("Скидка не больше")) << Build(Ru()).AllText();
}

TEST_F(ViewTest, TheAmountWarningIsShownOnlyWhileTheSessionHasIt) {
  model_.screen.state = kiosk::State::kAmountEntry;
  model_.screen.decision = "BELOW_MINIMUM";
  EXPECT_TRUE(Build(En()).Shows(En().Get("decision.BELOW_MINIMUM"))) << Build(En()).AllText();
  model_.screen.decision.clear();  // Session::AmountEdited()
  EXPECT_FALSE(Build(En()).Shows(En().Get("decision.BELOW_MINIMUM"))) << Build(En()).AllText();
  EXPECT_TRUE(Build(En()).Shows(En().Get("amount.hint")));
}

TEST_F(ViewTest, TheAdminRegistryLineIsLargeWithRoomForTwoLines) {
  model_.app = AppScreen::kAdmin;
  const View v = Build(Ru());
  const Element* line = nullptr;
  for (const Element& e : v.elements)
    if (e.kind == Kind::kText && e.text.rfind("Реестр: №7", 0) == 0) line = &e;
  ASSERT_NE(line, nullptr) << v.AllText();
  EXPECT_GE(line->font_px, 18);
  EXPECT_TRUE(line->bold);
  EXPECT_GE(line->rect.h, 2 * line->font_px + 8);  // two lines of it
}

TEST_F(ViewTest, TheDoorCountShowsTheCapacityAndAFullEventFillsTheScreen) {
  model_.mode = kiosk::Mode::kEvent;
  model_.status.attendance = 498;
  model_.status.capacity = 500;
  View v = Build(Ru());
  EXPECT_EQ(v.name, "idle");
  EXPECT_TRUE(v.Shows("Прошли: 498 / 500")) << v.AllText();
  model_.status.capacity = 0;  // no limit anywhere: the count alone
  EXPECT_TRUE(Build(Ru()).Shows("Прошли: 498")) << Build(Ru()).AllText();
  EXPECT_FALSE(Build(Ru()).Shows("498 / 500")) << Build(Ru()).AllText();
  model_.status.attendance = 500;
  model_.status.capacity = 500;
  v = Build(Ru());
  EXPECT_EQ(v.name, "idle-full");
  EXPECT_EQ(v.background, theme_.warning);
  EXPECT_TRUE(v.Shows("Мест нет")) << v.AllText();
  EXPECT_TRUE(v.Shows("Прошли: 500 / 500")) << v.AllText();
  EXPECT_NE(v.Button("admin"), nullptr);  // the admin can still be reached
  EXPECT_TRUE(Build(En()).Shows("The event is full")) << Build(En()).AllText();
  // A result at the door carries the capacity too.
  ShowResult("VALID", "accepted", kiosk::OutcomeOf(rules::CheckinCode::kAccepted));
  model_.screen.attendance = 499;
  model_.screen.capacity = 500;
  EXPECT_TRUE(Build(Ru()).Shows("Прошли: 499 / 500")) << Build(Ru()).AllText();
}

TEST_F(ViewTest, PinScreenHidesDigits) {
  model_.app = AppScreen::kPin;
  model_.entry = "1234";
  View v = Build(En());
  EXPECT_EQ(v.name, "pin");
  EXPECT_FALSE(v.Shows("1234"));
  EXPECT_EQ(v.AllText().find("1234"), std::string::npos) << v.AllText();  // not even inside a word
  EXPECT_TRUE(v.Shows("\u25CF \u25CF \u25CF \u25CF"));
}

TEST_F(ViewTest, AdminShowsDeviceAndActions) {
  model_.app = AppScreen::kAdmin;
  model_.status.device_id = "dev-1";
  model_.status.key_fingerprint = "0011223344556677";
  model_.status.version = "0.1.0";
  model_.status.journal_entries = 12;
  model_.status.journal_pending = 5;
  View v = Build(En());
  EXPECT_TRUE(v.Shows("dev-1"));
  EXPECT_TRUE(v.Shows("0011223344556677"));
  EXPECT_TRUE(v.Shows("12 entries, 5 not uploaded")) << v.AllText();
  model_.status.journal_exported = 9;
  model_.status.journal_acked = 7;
  v = Build(En());
  EXPECT_TRUE(v.Shows("Written to a stick through seq 9, acknowledged by the union through seq 7"))
      << v.AllText();
  for (const char* id : {"import_usb", "export_usb", "sync_now", "mode", "select", "language",
                         "set_pin", "confirm_clock", "device_key", "close"})
    EXPECT_NE(v.Button(id), nullptr) << id;
}

// The device-key screen: the key's PEM as a QR code that reads back (the view's black fills drawn
// into a picture and decoded by the project's ZXing reader), its kid in text, and Back.
TEST_F(ViewTest, AdminKeyScreenShowsTheKeyAsAQrCodeThatReadsBack) {
  const std::string pem =
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
      "-----END PUBLIC KEY-----\n";
  model_.app = kiosk_ui::AppScreen::kAdminKey;
  model_.status.key_fingerprint = "0011223344556677";
  model_.status.device_pubkey_pem = pem;
  for (const kiosk_settings::Strings* s : {&En(), &Ru()}) {
    const View v = Build(*s);
    EXPECT_EQ(v.name, "admin-key");
    EXPECT_TRUE(v.Shows("0011223344556677")) << v.AllText();
    EXPECT_NE(v.Button("back"), nullptr);
    scanner::GrayImage img{.width = 800, .height = 480};
    img.pixels.assign(800 * 480, 128);
    for (const kiosk_ui::Element& e : v.elements) {
      if (e.kind != kiosk_ui::Kind::kFill) continue;
      const uint8_t gray = e.color == kiosk_ui::Rgb{0, 0, 0}         ? 0
                           : e.color == kiosk_ui::Rgb{255, 255, 255} ? 255
                                                                     : 128;
      for (int y = std::max(0, e.rect.y); y < std::min(480, e.rect.y + e.rect.h); ++y) {
        for (int x = std::max(0, e.rect.x); x < std::min(800, e.rect.x + e.rect.w); ++x) {
          img.pixels[static_cast<size_t>(y) * 800 + static_cast<size_t>(x)] = gray;
        }
      }
    }
    const std::vector<scanner::QrSymbol> codes = scanner::ReadQrCodes(img.view());
    ASSERT_EQ(codes.size(), 1u);
    EXPECT_EQ(codes[0].text, pem);
  }
  // Without a readable key it says so instead of showing a code.
  model_.status.device_pubkey_pem.clear();
  const View v = Build(En());
  EXPECT_TRUE(v.Shows("The device key cannot be read: see the log")) << v.AllText();
}

// The admin menu shows the clock and its floor (kiosk/clock_check.h), and says when it is wrong.
TEST_F(ViewTest, AdminShowsTheClockAndItsFloor) {
  model_.app = AppScreen::kAdmin;
  model_.utc_offset_seconds = 0;
  model_.now = 1'796'172'400;                     // 2026-12-02 00:46
  model_.status.clock_floor = model_.now - 3600;  // 2026-12-01 23:46
  View v = Build(En());
  EXPECT_TRUE(v.Shows("Clock 2026-12-02 00:46, not earlier than 2026-12-01 23:46")) << v.AllText();
  model_.status.clock_floor = model_.now + 10 * 365 * 86400;
  model_.status.clock_state = kiosk::ClockState::kBehind;
  v = Build(En());
  EXPECT_TRUE(v.Shows("Clock 2026-12-02 00:46 is behind 2036-11-29 00:46: set it, then confirm"))
      << v.AllText();
  model_.status.clock_floor = model_.now - 400 * 86400;
  model_.status.clock_state = kiosk::ClockState::kAhead;
  v = Build(Ru());
  EXPECT_TRUE(v.Shows(
      "Часы 2026-12-02 00:46 сильно впереди 2025-10-28 00:46: установите время или подтвердите"))
      << v.AllText();
  EXPECT_NE(v.Button("confirm_clock"), nullptr);
}

TEST_F(ViewTest, ARuleRefusalSaysNotAcceptedNotCannotCheck) {
  // Which codes are rule refusals is the session's to decide (kiosk/outcome.h, outcome_test.cc).
  const std::pair<const char*, Outcome> refusals[] = {
      {"LIMIT_REACHED", kiosk::OutcomeOf(rules::OfferCode::kCountLimitReached)},
      {"NO_OFFER", kiosk::OutcomeOf(rules::OfferCode::kNoOffer)},
      {"ALREADY_CHECKED_IN", kiosk::OutcomeOf(rules::CheckinCode::kAlreadyCheckedIn)},
      {"EVENT_FULL", kiosk::OutcomeOf(rules::CheckinCode::kEventFull)}};
  for (const auto& [code, outcome] : refusals) {
    EXPECT_EQ(outcome, Outcome::kRefusedByRule) << code;
    ShowResult("VALID", code, outcome);
    View v = Build(En());
    EXPECT_TRUE(v.Shows("NOT ACCEPTED")) << code << "\n" << v.AllText();
    EXPECT_FALSE(v.Shows("CANNOT CHECK")) << code;
    EXPECT_EQ(v.background, theme_.warning) << code;
    EXPECT_EQ(ToneOf(outcome), Tone::kInvalid) << code;  // the answer is no
  }
  // The device's own failures (kiosk::Session::Fail) are always "cannot check".
  for (const char* code :
       {"NO_REGISTRY", "CLOCK_BEHIND", "CLOCK_AHEAD", "JOURNAL_ERROR", "REGISTRY_OUT_OF_DATE"}) {
    ShowResult("", code, Outcome::kCannotCheck);
    EXPECT_TRUE(Build(En()).Shows("CANNOT CHECK")) << code;
    EXPECT_EQ(ToneOf(Outcome::kCannotCheck), Tone::kWarning) << code;
  }
}

TEST_F(ViewTest, EveryOutcomeHasItsColourIconWordAndTone) {
  const struct {
    Outcome outcome;
    Rgb background;
    const char* icon;
    const char* word;
    Tone tone;
  } want[] = {
      {Outcome::kValid, theme_.valid, "\u2714", "VALID", Tone::kValid},
      {Outcome::kInvalid, theme_.invalid, "\u2716", "INVALID", Tone::kInvalid},
      {Outcome::kRefusedByRule, theme_.warning, "\u2298", "NOT ACCEPTED", Tone::kInvalid},
      {Outcome::kCannotCheck, theme_.warning, "!", "CANNOT CHECK", Tone::kWarning},
      {Outcome::kVoided, theme_.accent, "\u21B6", "VOIDED", Tone::kValid},
  };
  for (const auto& w : want) {
    ShowResult("VALID", "SOME_CODE", w.outcome);
    View v = Build(En());
    const std::string_view name = kiosk::OutcomeName(w.outcome);
    EXPECT_EQ(v.background, w.background) << name;
    EXPECT_TRUE(v.Shows(w.icon)) << name << "\n" << v.AllText();
    EXPECT_TRUE(v.Shows(w.word)) << name << "\n" << v.AllText();
    EXPECT_EQ(ToneOf(w.outcome), w.tone) << name;
    for (const auto& other : want) {
      if (other.outcome != w.outcome) {
        EXPECT_FALSE(v.Shows(other.word)) << name << " " << other.word;
      }
    }
  }
}

TEST_F(ViewTest, AdminChoicesArePagedEightAtATime) {
  model_.app = AppScreen::kAdminSelect;
  for (int i = 0; i < 19; ++i)
    model_.choices.push_back({"P" + std::to_string(100 + i), "Shop " + std::to_string(i)});
  View first = Build(En());
  EXPECT_NE(first.Button("choice_P100"), nullptr);
  EXPECT_NE(first.Button("choice_P107"), nullptr);
  EXPECT_EQ(first.Button("choice_P108"), nullptr);
  EXPECT_EQ(first.Button("prev"), nullptr);
  EXPECT_NE(first.Button("next"), nullptr);
  EXPECT_TRUE(first.Shows("1 / 3"));
  model_.page = 2;
  View last = Build(En());
  EXPECT_NE(last.Button("choice_P118"), nullptr);
  EXPECT_EQ(last.Button("choice_P107"), nullptr);
  EXPECT_NE(last.Button("prev"), nullptr);
  EXPECT_EQ(last.Button("next"), nullptr);
  model_.page = 9;  // out of range: the last page
  EXPECT_NE(Build(En()).Button("choice_P118"), nullptr);
}

TEST_F(ViewTest, LanguageChooserNamesEachLanguageInItsOwnWordsAndMarksTheCurrentOne) {
  model_.app = AppScreen::kAdminLanguage;
  model_.choices = {{"ru", "Русский"}, {"en", "English"}, {"kk", "Қазақша"}};
  View v = Build(En());
  EXPECT_EQ(v.name, "admin-language");
  for (const char* id : {"lang_ru", "lang_en", "lang_kk"}) EXPECT_NE(v.Button(id), nullptr) << id;
  EXPECT_TRUE(v.Shows("Русский")) << v.AllText();
  EXPECT_TRUE(v.Shows("Қазақша")) << v.AllText();
  EXPECT_EQ(v.Button("lang_en")->text, "\u2713 English");  // the current one, marked
  EXPECT_EQ(v.Button("lang_ru")->text, "Русский");
  EXPECT_FALSE(v.Button("lang_en")->color == v.Button("lang_ru")->color);
  EXPECT_NE(v.Button("back"), nullptr);
  EXPECT_EQ(Build(Ru()).Button("lang_ru")->text, "\u2713 Русский");
}

TEST_F(ViewTest, ARefusedAdminCardIsABannerOnTheCustomersAmountAndConfirmScreens) {
  model_.screen.state = kiosk::State::kAmountEntry;
  model_.screen.name = "Anna I.";
  model_.screen.admin_card_refused = "EXPIRED";
  model_.entry = "1250";
  View amount = Build(En());
  EXPECT_EQ(amount.name, "amount");
  EXPECT_TRUE(amount.Shows("This admin card has expired")) << amount.AllText();
  EXPECT_TRUE(amount.Shows("Anna I.")) << amount.AllText();
  EXPECT_NE(amount.Button("ok"), nullptr);
  model_.screen.state = kiosk::State::kConfirm;
  model_.screen.purchase_minor = 125000;
  model_.screen.total_minor = 125000;
  model_.screen.admin_card_refused = "REVOKED";
  View confirm = Build(En());
  EXPECT_EQ(confirm.name, "confirm");
  EXPECT_TRUE(confirm.Shows("This admin card has been withdrawn")) << confirm.AllText();
  EXPECT_TRUE(confirm.Shows("Anna I.")) << confirm.AllText();
}

TEST_F(ViewTest, NewPinIsAskedTwice) {
  model_.app = AppScreen::kSetPin;
  EXPECT_TRUE(Build(En()).Shows("New PIN"));
  model_.pin_repeat = true;
  EXPECT_TRUE(Build(En()).Shows("Repeat the new PIN"));
}

TEST_F(ViewTest, EveryScreenFitsSmallAndLargeDisplays) {
  for (auto [w, h] : {std::pair{480, 320}, {800, 480}, {1920, 1080}}) {
    for (int s = 0; s < 8; ++s) {
      model_.app = s < 5    ? AppScreen::kSession
                   : s == 5 ? AppScreen::kPin
                   : s == 6 ? AppScreen::kAdmin
                            : AppScreen::kRecent;
      model_.screen.state = static_cast<kiosk::State>(s < 5 ? s : 0);
      View v = Build(En(), w, h);
      for (const Element& e : v.elements) {
        EXPECT_GE(e.rect.x, 0) << v.name;
        EXPECT_GE(e.rect.y, 0) << v.name;
        EXPECT_LE(e.rect.x + e.rect.w, w) << v.name << " " << e.text << " " << e.id;
        EXPECT_LE(e.rect.y + e.rect.h, h) << v.name << " " << e.text << " " << e.id;
      }
    }
  }
}

TEST(ViewShows, MatchesWholeWordsAsAPersonReadsThem) {
  View v;
  v.elements.push_back({.kind = Kind::kText, .text = "\u2716 INVALID"});
  v.elements.push_back({.kind = Kind::kText, .text = "Registry #70 \u00b7 2 h ago"});
  v.elements.push_back({.kind = Kind::kButton, .text = "Код: EXPIRED", .id = "b"});
  v.elements.push_back({.kind = Kind::kText, .text = "Итого: 1\u00a0125,00 \u20bd"});
  v.elements.push_back({.kind = Kind::kFill, .text = "hidden"});
  EXPECT_TRUE(v.Shows("INVALID"));
  EXPECT_TRUE(v.Shows("\u2716 INVALID"));  // the whole text
  EXPECT_TRUE(v.Shows("\u2716"));
  EXPECT_FALSE(v.Shows("VALID"));  // inside INVALID: not what a reader sees
  EXPECT_FALSE(v.Shows("NVALID"));
  EXPECT_FALSE(v.Shows("Registry #7"));  // #70 is another registry
  EXPECT_TRUE(v.Shows("Registry #70"));
  EXPECT_TRUE(v.Shows("2 h ago"));
  EXPECT_FALSE(v.Shows("h ag"));
  EXPECT_TRUE(v.Shows("EXPIRED"));  // button labels count
  EXPECT_TRUE(v.Shows("Код"));
  EXPECT_FALSE(v.Shows("Ко"));     // Cyrillic letters are letters too
  EXPECT_TRUE(v.Shows("125,00"));  // a no-break space separates
  EXPECT_FALSE(v.Shows("25,00"));
  EXPECT_TRUE(v.Shows("125,00 \u20bd"));
  EXPECT_FALSE(v.Shows("hidden"));  // not a text or a button
  EXPECT_FALSE(v.Shows(""));
}

TEST(AmountEntry, EditsLikeACashRegister) {
  std::string e;
  EXPECT_FALSE(EditAmount(&e, "back"));
  EXPECT_TRUE(EditAmount(&e, "0"));
  EXPECT_TRUE(EditAmount(&e, "1"));  // no leading zero
  EXPECT_EQ(e, "1");
  EXPECT_TRUE(EditAmount(&e, "2"));
  EXPECT_TRUE(EditAmount(&e, ","));
  EXPECT_FALSE(EditAmount(&e, ","));
  EXPECT_TRUE(EditAmount(&e, "5"));
  EXPECT_TRUE(EditAmount(&e, "0"));
  EXPECT_FALSE(EditAmount(&e, "1"));  // two decimals at most
  EXPECT_EQ(e, "12,50");
  EXPECT_EQ(AmountMinor(e), 1250);
  EXPECT_TRUE(EditAmount(&e, "back"));
  EXPECT_EQ(AmountMinor(e), 1250);  // "12,5"
  EXPECT_TRUE(EditAmount(&e, "clear"));
  EXPECT_EQ(AmountMinor(e), -1);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(EditAmount(&e, "9"));
  EXPECT_FALSE(EditAmount(&e, "9"));  // above 999 999,99
  EXPECT_EQ(AmountMinor(e), 99'999'900);
  EXPECT_EQ(AmountMinor(",5"), 50);
  EXPECT_EQ(AmountMinor("1,2,3"), -1);
  EXPECT_EQ(AmountMinor("12a"), -1);
}

TEST(Clock, LocalTimeAndDate) {
  EXPECT_EQ(LocalClock(0, 3 * 3600), "03:00");
  EXPECT_EQ(LocalClock(86399, 0), "23:59");
  EXPECT_EQ(LocalClock(3600, -5 * 3600), "20:00");
  EXPECT_EQ(LocalDate(1'790'000'000, 0), "2026-09-21");
}

// ---- not provisioned ------------------------------------------------------------------------

TEST_F(ViewTest, NotProvisionedShowsTheDeviceIdAndWhereTheKeyGoesInEveryLanguage) {
  model_.app = AppScreen::kNotProvisioned;
  model_.status.device_id = "K-7F3A9C";
  model_.setup.trust_path = "/etc/cardkiosk/bundle.pub.pem";
  const char* const titles[] = {"Киоск ещё не настроен", "This kiosk is not set up yet",
                                "Киоск әлі бапталмаған"};
  for (size_t i = 0; i < strings_.size(); ++i) {
    const View v = Build(strings_[i]);
    EXPECT_EQ(v.name, "not_provisioned");
    EXPECT_EQ(v.background, theme_.warning);  // a device problem: amber, not red
    EXPECT_TRUE(v.Shows(titles[i])) << v.AllText();
    EXPECT_NE(v.AllText().find("K-7F3A9C"), std::string::npos) << v.AllText();
    EXPECT_NE(v.AllText().find("/etc/cardkiosk/bundle.pub.pem"), std::string::npos) << v.AllText();
    EXPECT_EQ(v.AllText().find('{'), std::string::npos) << v.AllText();  // no placeholder left
    EXPECT_EQ(v.Button("admin"), nullptr);  // nothing to serve, nothing to administer yet
  }
  const View en = Build(En());
  EXPECT_TRUE(en.Shows("The bundle key is missing: /etc/cardkiosk/bundle.pub.pem")) << en.AllText();
  EXPECT_TRUE(en.Shows("The kiosk starts by itself once the key is there.")) << en.AllText();
}

TEST_F(ViewTest, NotProvisionedSaysWhyAKeyThatIsThereCannotBeUsed) {
  model_.app = AppScreen::kNotProvisioned;
  model_.setup.trust_path = "/etc/cardkiosk/bundle.pub.pem";
  model_.setup.problem = "/etc/cardkiosk/bundle.pub.pem: not a PEM public key";
  const View v = Build(En());
  EXPECT_NE(v.AllText().find("The bundle key cannot be used: /etc/cardkiosk/bundle.pub.pem: not a "
                             "PEM public key"),
            std::string::npos)
      << v.AllText();
  EXPECT_NE(v.AllText().find("Device id: -"), std::string::npos) << v.AllText();
}

// --- corrections ---------------------------------------------------------------------------

kiosk::RecentEntry Sale(std::string uuid, int64_t time, std::string cashier_void = "") {
  return {.seq = 1,
          .time_utc = time,
          .uuid = std::move(uuid),
          .kind = "discount",
          .partner_id = "P-1",
          .offer_id = "O-10",
          .purchase_minor = 125'000,
          .discount_minor = 12'500,
          .member = "\u2022\u2022\u2022\u20220abc",
          .decision = "accepted",
          .cashier_void = std::move(cashier_void)};
}

TEST_F(ViewTest, AnAcceptedResultCanBeVoidedFromItsScreen) {
  ShowResult("VALID", "accepted", Outcome::kValid);
  model_.screen.entry_uuid = "u-1";
  model_.screen.entry_seq = 4;
  EXPECT_EQ(Build(Ru()).Button("void"), nullptr);  // only what the session says may be voided
  model_.screen.voidable = true;
  View v = Build(Ru());
  const Element* b = v.Button("void");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->text, "Отменить");
  EXPECT_EQ(v.ButtonAt(b->rect.x + 1, b->rect.y + 1), b);  // over the tap-to-close screen
}

TEST_F(ViewTest, TheVoidIsConfirmedOnAScreenOfItsOwn) {
  model_.screen.state = kiosk::State::kVoidConfirm;
  model_.screen.void_kind = "discount";
  model_.screen.void_seq = 12;
  model_.screen.void_time = model_.now - 120;
  model_.screen.purchase_minor = 125'000;
  model_.screen.discount_minor = 12'500;
  model_.screen.number_masked = "\u2022\u2022\u2022\u20220abc";
  View v = Build(Ru());
  EXPECT_EQ(v.name, "void-confirm");
  EXPECT_TRUE(v.Shows("Отменить запись?")) << v.AllText();
  EXPECT_TRUE(v.Shows("№ 12: скидка")) << v.AllText();
  EXPECT_TRUE(v.Shows("125,00 ₽")) << v.AllText();
  EXPECT_TRUE(v.Shows("1 250,00 ₽")) << v.AllText();
  EXPECT_TRUE(v.Shows("лимит участника восстановлен")) << v.AllText();
  ASSERT_NE(v.Button("confirm"), nullptr);
  EXPECT_EQ(v.Button("confirm")->text, "Отменить запись");
  EXPECT_EQ(v.Button("cancel")->text, "Не отменять");
  // The result after it.
  ShowResult("", "VOIDED", Outcome::kVoided);
  model_.screen.entry_uuid = "u-void";
  model_.screen.entry_seq = 13;
  View done = Build(Ru());
  EXPECT_TRUE(done.Shows("ОТМЕНЕНО")) << done.AllText();
  EXPECT_TRUE(done.Shows("Запись № 12 отменена")) << done.AllText();
  EXPECT_TRUE(done.Shows("Отменена скидка: 125,00 ₽")) << done.AllText();
  EXPECT_TRUE(done.Shows("Записано, № 13")) << done.AllText();
  EXPECT_EQ(done.Button("void"), nullptr);
}

TEST_F(ViewTest, VoidRefusalsSayWhyInEveryLanguage) {
  ShowResult("", "VOID_TOO_LATE", Outcome::kRefusedByRule);
  EXPECT_TRUE(Build(Ru()).Shows("Время на отмену прошло: отменить может администратор"));
  EXPECT_TRUE(Build(En()).Shows("Too late to void here: the admin can do it"));
  for (const char* code : {"VOID_UNKNOWN_ENTRY", "VOID_OF_VOID", "VOID_NOT_VOIDABLE",
                           "VOID_ALREADY", "VOID_TOO_LATE", "NOTHING_TO_UNDO"}) {
    for (const kiosk_settings::Strings& s : strings_)
      EXPECT_TRUE(s.Has(std::string("decision.") + code)) << code << " " << s.language();
  }
}

TEST_F(ViewTest, TheLastTransactionsListTimeAmountsMemberAndStatus) {
  model_.app = AppScreen::kRecent;
  View empty = Build(Ru());
  EXPECT_EQ(empty.name, "recent");
  EXPECT_TRUE(empty.Shows("Операций пока нет"));
  model_.recent.push_back(Sale("u-new", model_.now - 60));  // 12:32 Moscow
  kiosk::RecentEntry voided = Sale("u-voided", model_.now - 300, "VOID_ALREADY");
  voided.voided_by = "cashier";
  voided.admin_void = "VOID_ALREADY";
  model_.recent.push_back(voided);
  model_.recent.push_back(Sale("u-old", model_.now - 3600, "VOID_TOO_LATE"));
  kiosk::RecentEntry door{.seq = 9,
                          .time_utc = model_.now - 4000,
                          .uuid = "u-door",
                          .kind = "manual_count",
                          .decision = "accepted"};
  model_.recent.push_back(door);
  View v = Build(Ru());
  EXPECT_TRUE(v.Shows("Последние операции")) << v.AllText();
  const Element* b = v.Button("void_u-new");
  ASSERT_NE(b, nullptr) << v.AllText();
  EXPECT_NE(b->text.find(LocalClock(model_.now - 60, 3 * 3600)), std::string::npos) << b->text;
  EXPECT_TRUE(v.Shows("1 250,00 ₽  скидка 125,00 ₽")) << v.AllText();
  EXPECT_TRUE(v.Shows("\u2022\u2022\u2022\u20220abc")) << v.AllText();
  EXPECT_TRUE(v.Shows("отменено (кассир)")) << v.AllText();
  EXPECT_TRUE(v.Shows("только администратор")) << v.AllText();
  EXPECT_TRUE(v.Shows("вход без карты")) << v.AllText();
  EXPECT_EQ(v.Button("void_u-voided"), nullptr);
  EXPECT_EQ(v.Button("void_u-old"), nullptr);
  EXPECT_NE(v.Button("back"), nullptr);
  // The admin's list offers what is past the cashier's window.
  model_.recent_admin = true;
  View admin = Build(Ru());
  EXPECT_EQ(admin.name, "recent-admin");
  EXPECT_NE(admin.Button("void_u-old"), nullptr);
  EXPECT_EQ(admin.Button("void_u-voided"), nullptr);
}

TEST_F(ViewTest, TheLastTransactionsArePagedFiveAtATime) {
  model_.app = AppScreen::kRecent;
  for (int i = 0; i < 20; ++i) model_.recent.push_back(Sale("u" + std::to_string(i), model_.now));
  View first = Build(En());
  EXPECT_NE(first.Button("void_u4"), nullptr);
  EXPECT_EQ(first.Button("void_u5"), nullptr);
  EXPECT_TRUE(first.Shows("1 / 4"));
  EXPECT_NE(first.Button("next"), nullptr);
  model_.page = 3;
  View last = Build(En());
  EXPECT_NE(last.Button("void_u19"), nullptr);
  EXPECT_EQ(last.Button("next"), nullptr);
}

TEST_F(ViewTest, TheDoorCountsPeopleWithoutACardApartAndOffersUndo) {
  model_.mode = kiosk::Mode::kEvent;
  model_.status.attendance = 498;
  model_.status.capacity = 500;
  model_.status.manual_count = 3;
  View v = Build(Ru());
  EXPECT_TRUE(v.Shows("Прошли: 498 / 500 (3 без карты)")) << v.AllText();
  ASSERT_NE(v.Button("manual_count"), nullptr);
  EXPECT_EQ(v.Button("manual_count")->text, "Без карты");
  EXPECT_EQ(v.Button("undo")->text, "Отменить последний вход");
  EXPECT_NE(v.Button("recent"), nullptr);
  EXPECT_TRUE(Build(En()).Shows("(3 without a card)"));
  // At capacity the undo stays at hand.
  model_.status.attendance = 500;
  View full = Build(Ru());
  EXPECT_EQ(full.name, "idle-full");
  EXPECT_NE(full.Button("undo"), nullptr);
  EXPECT_TRUE(full.Shows("(3 без карты)")) << full.AllText();
  // A manual count's result.
  model_.status.attendance = 499;
  ShowResult("", "accepted", Outcome::kValid);
  model_.screen.manual = true;
  model_.screen.attendance = 499;
  model_.screen.capacity = 500;
  model_.screen.manual_count = 4;
  View r = Build(Ru());
  EXPECT_TRUE(r.Shows("Вход без карты отмечен")) << r.AllText();
  EXPECT_TRUE(r.Shows("Прошли: 499 / 500 (4 без карты)")) << r.AllText();
}

TEST_F(ViewTest, TheShopsIdleScreenOpensTheLastTransactionsAndTheAdminMenuToo) {
  View v = Build(Ru());
  ASSERT_NE(v.Button("recent"), nullptr);
  EXPECT_EQ(v.Button("recent")->text, "Последние операции");
  EXPECT_EQ(v.Button("undo"), nullptr);
  model_.app = AppScreen::kAdmin;
  View admin = Build(Ru());
  ASSERT_NE(admin.Button("recent"), nullptr);
  EXPECT_EQ(admin.Button("recent")->text, "Отмена операций");
}

}  // namespace
}  // namespace kiosk_ui

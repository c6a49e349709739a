// The admin screens without a display: kiosk_admin::AdminFlow over a real AdminPin file, the
// real English translations and a real registry (kiosk_fixture).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>

#include "kiosk_admin/admin_flow.h"
#include "kiosk_fixture.h"
#include "real_fs.h"

namespace {

using kiosk_admin::AdminContext;
using kiosk_admin::AdminEffects;
using kiosk_admin::AdminFlow;
using kiosk_ui::AppScreen;

const std::string kI18n = std::string(CK_ASSETS_DIR) + "/i18n";

class AdminFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base::Result<kiosk_settings::AdminPin> pin =
        kiosk_settings::AdminPin::Open(cktest::RealFs(), fx_.data_dir(), fx_.clock());
    ASSERT_TRUE(pin.ok()) << pin.status().ToString();
    pin_.emplace(std::move(*pin));
    base::Result<kiosk_settings::Strings> en = kiosk_settings::Strings::Load(kI18n, "en");
    ASSERT_TRUE(en.ok()) << en.status().ToString();
    flow_.emplace(*pin_, std::move(*en), kI18n);
  }

  void Type(const std::string& digits) {
    for (char c : digits) flow_->Key(std::string(1, c));
  }
  // PIN entry opened from the idle screen, `pin` typed and OK pressed.
  AdminEffects EnterPin(const std::string& pin) {
    if (!flow_->active()) {
      EXPECT_TRUE(flow_->Open(kiosk::State::kIdle));
    }
    Type(pin);
    AdminEffects e = flow_->Ok();
    if (!e.check_pin) return e;
    // The app runs the PIN's PBKDF2 off the UI thread; here it runs in line.
    EXPECT_TRUE(flow_->checking());
    EXPECT_EQ(flow_->notice(), "Checking…");
    std::optional<kiosk_settings::PinTry> t = flow_->TakePinTry();
    EXPECT_TRUE(t.has_value());
    return t ? flow_->PinChecked(t->Right()) : e;
  }
  void OpenMenu() {
    ASSERT_TRUE(EnterPin(std::string(kiosk_settings::kDefaultAdminPin)).refresh_status);
    ASSERT_EQ(flow_->screen(), AppScreen::kAdmin);
  }
  // A registry with `partners` partners P-01.. and one event, opened as the device's.
  const registry::Registry* Registry(int partners) {
    kiosktest::RegistrySpec spec;
    for (int i = 1; i <= partners; ++i) {
      registry::Partner p = kiosktest::MakePartner((i < 10 ? "P-0" : "P-") + std::to_string(i));
      p.name = "Shop " + std::to_string(i);
      spec.partners.push_back(p);
    }
    registry::Event e = kiosktest::MakeEvent("E-1", kiosktest::kNow, kiosktest::kNow + 3600);
    e.title = "Congress";
    spec.events = {e};
    EXPECT_TRUE(fx_.WriteRegistry(spec));
    base::Result<kiosk::Device> dev = fx_.OpenDevice();
    EXPECT_TRUE(dev.ok()) << dev.status().ToString();
    device_.emplace(std::move(*dev));
    return device_->registry.get();
  }

  kiosktest::KioskFixture fx_;
  std::optional<kiosk_settings::AdminPin> pin_;
  std::optional<AdminFlow> flow_;
  std::optional<kiosk::Device> device_;
};

TEST_F(AdminFlowTest, OpensOnlyWhenNoCustomerIsBeingServed) {
  EXPECT_FALSE(flow_->Open(kiosk::State::kAmountEntry));
  EXPECT_FALSE(flow_->Open(kiosk::State::kConfirm));
  EXPECT_FALSE(flow_->active());
  EXPECT_TRUE(flow_->Open(kiosk::State::kResult));
  EXPECT_EQ(flow_->screen(), AppScreen::kPin);
  EXPECT_EQ(flow_->ScreenName(), "pin");
  EXPECT_FALSE(flow_->Open(kiosk::State::kIdle));  // already open
  EXPECT_TRUE(flow_->pin_is_default());
}

TEST_F(AdminFlowTest, RightPinOpensTheMenu) {
  const AdminEffects e = EnterPin("0000");
  EXPECT_TRUE(e.refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  EXPECT_EQ(flow_->ScreenName(), "admin");
  EXPECT_EQ(flow_->notice(), "");
  EXPECT_EQ(flow_->entry(), "");
}

TEST_F(AdminFlowTest, KeypadEditsThePinEntry) {
  ASSERT_TRUE(flow_->Open(kiosk::State::kIdle));
  Type("12345");
  flow_->Key("back");
  EXPECT_EQ(flow_->entry(), "1234");
  flow_->Key("x");
  flow_->Key("clear");
  EXPECT_EQ(flow_->entry(), "");
  Type("1234567890123");  // at most 12 digits
  EXPECT_EQ(flow_->entry(), "123456789012");
}

TEST_F(AdminFlowTest, WrongPinsCountDownThenLockOut) {
  EXPECT_FALSE(EnterPin("1111").refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kPin);
  EXPECT_EQ(flow_->notice(), "Wrong PIN (2 tries before lock-out)");
  EXPECT_TRUE(flow_->notice_is_error());
  EnterPin("2222");
  EXPECT_EQ(flow_->notice(), "Wrong PIN (1 tries before lock-out)");
  EnterPin("3333");
  EXPECT_EQ(flow_->notice(), "Locked: try again in 30 s");
  // Locked: even the right PIN is not taken, and says it was not checked (it was "Locked: try
  // again in 30 s", which made a right PIN look wrong); reopening says it is locked at once.
  EnterPin("0000");
  EXPECT_EQ(flow_->screen(), AppScreen::kPin);
  EXPECT_EQ(flow_->notice(), "Locked, the PIN was not checked: try again in 30 s");
  flow_->Back(false);
  fx_.clock().Advance(10);
  ASSERT_TRUE(flow_->Open(kiosk::State::kIdle));
  EXPECT_EQ(flow_->notice(), "Locked: try again in 20 s");
  fx_.clock().Advance(20);
  EXPECT_TRUE(EnterPin("0000").refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
}

TEST_F(AdminFlowTest, TheLockOutCountsDownLiveAndSaysWhenItIsOver) {
  for (const char* wrong : {"1111", "2222", "3333"}) EnterPin(wrong);
  EXPECT_EQ(flow_->notice(), "Locked: try again in 30 s");
  fx_.clock().Advance(1);
  flow_->Tick();
  EXPECT_EQ(flow_->notice(), "Locked: try again in 29 s");
  fx_.clock().Advance(28);
  flow_->Tick();
  EXPECT_EQ(flow_->notice(), "Locked: try again in 1 s");
  EXPECT_TRUE(flow_->notice_is_error());
  fx_.clock().Advance(1);
  flow_->Tick();
  EXPECT_EQ(flow_->notice(), "You can type the PIN again");
  EXPECT_FALSE(flow_->notice_is_error());
  flow_->Tick();  // said once; another notice is not overwritten
  flow_->SetNotice("other", false);
  flow_->Tick();
  EXPECT_EQ(flow_->notice(), "other");
  EXPECT_TRUE(EnterPin("0000").refresh_status);
}

TEST_F(AdminFlowTest, APinTypedDuringTheLockOutIsSaidNotChecked) {
  for (const char* wrong : {"1111", "2222", "3333"}) EnterPin(wrong);
  fx_.clock().Advance(5);
  EnterPin("0000");
  EXPECT_EQ(flow_->notice(), "Locked, the PIN was not checked: try again in 25 s");
  fx_.clock().Advance(5);
  flow_->Tick();
  EXPECT_EQ(flow_->notice(), "Locked, the PIN was not checked: try again in 20 s");
}

TEST_F(AdminFlowTest, WhileAPinIsCheckedThePinScreenTakesNoInput) {
  ASSERT_TRUE(flow_->Open(kiosk::State::kIdle));
  Type("0000");
  ASSERT_TRUE(flow_->Ok().check_pin);
  EXPECT_EQ(flow_->notice(), "Checking…");
  EXPECT_FALSE(flow_->notice_is_error());
  Type("12");
  EXPECT_EQ(flow_->entry(), "");
  EXPECT_FALSE(flow_->Ok().check_pin);
  flow_->Back(false);
  EXPECT_EQ(flow_->screen(), AppScreen::kPin);
  std::optional<kiosk_settings::PinTry> t = flow_->TakePinTry();
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(flow_->TakePinTry().has_value());  // once
  // The slow part on another thread, as the app runs it.
  base::Result<bool> right = false;
  std::thread worker([&] { right = t->Right(); });
  worker.join();
  EXPECT_TRUE(flow_->PinChecked(right).refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  EXPECT_FALSE(flow_->checking());
}

TEST_F(AdminFlowTest, ShortEntryIsNotATry) {
  for (int i = 0; i < 5; ++i) EnterPin("12");
  EXPECT_EQ(flow_->notice(), "A PIN has 4 to 12 digits");
  EXPECT_EQ(pin_->failures(), 0);
  EXPECT_TRUE(EnterPin("0000").refresh_status);
}

TEST_F(AdminFlowTest, NewPinMustBeTypedTwice) {
  OpenMenu();
  flow_->Press("set_pin", {});
  EXPECT_EQ(flow_->screen(), AppScreen::kSetPin);
  EXPECT_EQ(flow_->ScreenName(), "set-pin");
  Type("4321");
  flow_->Ok();
  EXPECT_TRUE(flow_->pin_repeat());
  Type("4322");
  flow_->Ok();
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  EXPECT_EQ(flow_->notice(), "The two PINs differ: nothing was changed");
  EXPECT_TRUE(pin_->is_default());

  flow_->Press("set_pin", {});
  Type("4321");
  flow_->Ok();
  Type("4321");
  flow_->Ok();
  EXPECT_EQ(flow_->notice(), "PIN changed");
  EXPECT_FALSE(flow_->notice_is_error());
  EXPECT_FALSE(flow_->pin_is_default());
  // The new PIN opens the menu next time (read back from the file), the old one does not.
  flow_->Back(false);
  ASSERT_FALSE(flow_->active());
  base::Result<kiosk_settings::AdminPin> again =
      kiosk_settings::AdminPin::Open(cktest::RealFs(), fx_.data_dir(), fx_.clock());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->Check("4321"), kiosk_settings::PinCheck::kOk);
  EXPECT_FALSE(EnterPin("0000").refresh_status);
  EXPECT_TRUE(EnterPin("4321").refresh_status);
}

TEST_F(AdminFlowTest, BackLeavesEachScreenForItsParent) {
  ASSERT_TRUE(flow_->Open(kiosk::State::kIdle));
  EXPECT_FALSE(flow_->Back(false).cancel_session);  // PIN entry: back to the session
  EXPECT_FALSE(flow_->active());
  OpenMenu();
  flow_->Press("set_pin", {});
  flow_->Back(false);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  // The menu waits while a USB job runs.
  EXPECT_FALSE(flow_->Back(true).cancel_session);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  EXPECT_TRUE(flow_->Back(false).cancel_session);
  EXPECT_FALSE(flow_->active());
}

TEST_F(AdminFlowTest, ChoosesAPartnerAcrossPages) {
  const registry::Registry* reg = Registry(kiosk_ui::kChoicesPerPage + 2);
  OpenMenu();
  const AdminContext shop{.mode = kiosk::Mode::kShop, .registry = reg};
  flow_->Press("select", shop);
  ASSERT_EQ(flow_->screen(), AppScreen::kAdminSelect);
  EXPECT_EQ(flow_->ScreenName(), "admin-select");
  EXPECT_EQ(flow_->select_mode(), kiosk::Mode::kShop);
  ASSERT_EQ(flow_->choices().size(), static_cast<size_t>(kiosk_ui::kChoicesPerPage + 2));
  EXPECT_EQ(flow_->choices()[0].id, "P-01");
  EXPECT_EQ(flow_->choices()[0].label, "Shop 1 (P-01)");
  flow_->Press("prev", shop);
  EXPECT_EQ(flow_->page(), 0);
  flow_->Press("next", shop);
  EXPECT_EQ(flow_->page(), 1);
  flow_->Press("next", shop);  // the last page stays
  EXPECT_EQ(flow_->page(), 1);
  const AdminEffects e = flow_->Press("choice_P-10", shop);
  ASSERT_TRUE(e.chosen.has_value());
  EXPECT_EQ(e.chosen->mode, kiosk::Mode::kShop);
  EXPECT_EQ(e.chosen->id, "P-10");
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
}

TEST_F(AdminFlowTest, ModeOffersTheOtherModesChoices) {
  const registry::Registry* reg = Registry(1);
  OpenMenu();
  flow_->Press("mode", {.mode = kiosk::Mode::kShop, .registry = reg});
  EXPECT_EQ(flow_->select_mode(), kiosk::Mode::kEvent);
  ASSERT_EQ(flow_->choices().size(), 1u);
  EXPECT_EQ(flow_->choices()[0].label, "Congress (E-1)");
  // Back keeps the mode: nothing chosen.
  EXPECT_FALSE(flow_->Back(false).chosen.has_value());
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  flow_->Press("mode", {.mode = kiosk::Mode::kShop, .registry = reg});
  const AdminEffects e = flow_->Press("choice_E-1", {});
  ASSERT_TRUE(e.chosen.has_value());
  EXPECT_EQ(e.chosen->mode, kiosk::Mode::kEvent);
  EXPECT_EQ(e.chosen->id, "E-1");
}

TEST_F(AdminFlowTest, NoRegistryNoChoices) {
  OpenMenu();
  flow_->Press("select", {.registry = nullptr});
  EXPECT_EQ(flow_->screen(), AppScreen::kAdminSelect);
  EXPECT_TRUE(flow_->choices().empty());
  EXPECT_EQ(flow_->notice(), "Registry: none");
  EXPECT_TRUE(flow_->notice_is_error());
}

TEST_F(AdminFlowTest, LanguageButtonShowsTheChoicesAndOneTouchPicksAndRewords) {
  OpenMenu();
  AdminEffects e = flow_->Press("language", {});
  EXPECT_TRUE(e.language.empty());  // nothing changes until one is picked
  ASSERT_EQ(flow_->screen(), AppScreen::kAdminLanguage);
  EXPECT_EQ(flow_->ScreenName(), "admin-language");
  ASSERT_EQ(flow_->choices().size(), 3u);
  EXPECT_EQ(flow_->choices()[0].id, "ru");
  EXPECT_EQ(flow_->choices()[0].label, "Русский");
  EXPECT_EQ(flow_->choices()[1].label, "English");
  EXPECT_EQ(flow_->choices()[2].label, "Қазақша");
  e = flow_->Press("lang_ru", {});
  EXPECT_EQ(e.language, "ru");
  EXPECT_EQ(flow_->strings().language(), "ru");
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  EXPECT_NE(flow_->strings().Get("admin.pin_changed"), "PIN changed");
  flow_->Press("language", {});
  EXPECT_TRUE(flow_->Back(false).language.empty());  // Back keeps the language
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  EXPECT_EQ(flow_->strings().language(), "ru");
  flow_->Press("language", {});
  e = flow_->Press("lang_en", {});
  EXPECT_EQ(e.language, "en");
  EXPECT_EQ(flow_->strings().Get("admin.pin_changed"), "PIN changed");
}

TEST_F(AdminFlowTest, MenuActionsAreEffectsAndWaitForARunningJob) {
  OpenMenu();
  EXPECT_TRUE(flow_->Press("import_usb", {}).import_usb);
  EXPECT_TRUE(flow_->Press("export_usb", {}).export_usb);
  EXPECT_FALSE(flow_->Press("import_usb", {.job_running = true}).import_usb);
  AdminEffects e = flow_->Press("sync_now", {.sync_available = false});
  EXPECT_FALSE(e.wake_sync);
  EXPECT_EQ(flow_->notice(), "Network sync not configured");
  e = flow_->Press("sync_now", {.sync_available = true});
  EXPECT_TRUE(e.wake_sync);
  EXPECT_EQ(flow_->notice(), "Sync started: the network line shows when it is done");
  EXPECT_FALSE(flow_->notice_is_error());
  EXPECT_TRUE(flow_->Press("confirm_clock", {}).confirm_clock);
  EXPECT_FALSE(flow_->Press("confirm_clock", {.job_running = true}).confirm_clock);
}

TEST_F(AdminFlowTest, CloseGoesBackToTheSession) {
  ASSERT_TRUE(flow_->Open(kiosk::State::kIdle));
  Type("12");
  flow_->Close();
  EXPECT_FALSE(flow_->active());
  EXPECT_EQ(flow_->entry(), "");
  EXPECT_EQ(flow_->ScreenName(), "");
}

// A verified admin card opens the menu at once, or the PIN screen with admin_card_pin, naming whose
// card it is; a refused one on an admin screen says why.
TEST_F(AdminFlowTest, AnAdminCardOpensTheMenuOrThePinScreen) {
  AdminEffects e = flow_->OpenByCard("Irina P.", false);
  EXPECT_TRUE(e.refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  EXPECT_EQ(flow_->notice(), "Admin card: Irina P.");
  flow_->Close();

  e = flow_->OpenByCard("Irina P.", true);
  EXPECT_FALSE(e.refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kPin);
  EXPECT_EQ(flow_->notice(), "Admin card: Irina P.. Enter the PIN");
  EXPECT_TRUE(EnterPin(std::string(kiosk_settings::kDefaultAdminPin)).refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);

  // Already in the menu: a card changes nothing but may say it was refused.
  EXPECT_FALSE(flow_->OpenByCard("Oleg", false).refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  flow_->CardRefused("REVOKED");
  EXPECT_EQ(flow_->notice(), "This admin card has been withdrawn");
  EXPECT_TRUE(flow_->notice_is_error());
  flow_->CardRefused("MALFORMED");
  EXPECT_EQ(flow_->notice(), "Admin card refused");
}

// On the PIN screen (opened with F2) an admin card lets the admin in without the PIN.
TEST_F(AdminFlowTest, AnAdminCardOnThePinScreenOpensTheMenu) {
  ASSERT_TRUE(flow_->Open(kiosk::State::kIdle));
  Type("12");
  EXPECT_TRUE(flow_->OpenByCard("Irina P.", false).refresh_status);
  EXPECT_EQ(flow_->screen(), AppScreen::kAdmin);
  EXPECT_TRUE(flow_->entry().empty());
}

}  // namespace

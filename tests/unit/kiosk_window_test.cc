// The renderer the kiosk asks SDL for: GLES2 on the device's console (KMSDRM), SDL's own choice on
// a desktop, or what kiosk.conf names.
#include <gtest/gtest.h>

#include "window.h"

namespace kiosk_sdl {
namespace {

TEST(RenderDriverTest, AutoIsGles2OnTheConsoleAndSdlsChoiceElsewhere) {
  EXPECT_EQ(RenderDriverFor("auto", "kmsdrm"), "opengles2");
  EXPECT_EQ(RenderDriverFor("auto", "KMSDRM"), "opengles2");  // SDL 2.26's own spelling
  EXPECT_EQ(RenderDriverFor("auto", "x11"), "");
  EXPECT_EQ(RenderDriverFor("auto", "wayland"), "");
  EXPECT_EQ(RenderDriverFor("auto", "offscreen"), "");
}

TEST(RenderDriverTest, AChosenRendererIsAskedForEverywhere) {
  for (const char* video : {"kmsdrm", "x11", "offscreen"}) {
    EXPECT_EQ(RenderDriverFor("software", video), "software");
    EXPECT_EQ(RenderDriverFor("opengl", video), "opengl");
    EXPECT_EQ(RenderDriverFor("opengles2", video), "opengles2");
  }
}

// SDL 2.26 (Debian 12) reports its console driver as "KMSDRM": the device's own paths (keys read
// through evdev, the first frame drawn again) must be on under that name, off on a desktop.
TEST(ConsoleVideoTest, SdlsOwnSpellingIsTheConsole) {
  EXPECT_TRUE(IsConsoleVideo("KMSDRM"));
  EXPECT_TRUE(IsConsoleVideo("kmsdrm"));
  EXPECT_FALSE(IsConsoleVideo("x11"));
  EXPECT_FALSE(IsConsoleVideo("wayland"));
  EXPECT_FALSE(IsConsoleVideo("offscreen"));
  EXPECT_FALSE(IsConsoleVideo("KMSDRM_LEGACY"));
}

TEST(ConsoleVideoTest, EvdevKeysAutoIsOnOnTheConsoleOnly) {
  EXPECT_TRUE(ReadsEvdevKeys("auto", "KMSDRM"));
  EXPECT_TRUE(ReadsEvdevKeys("auto", "kmsdrm"));
  EXPECT_FALSE(ReadsEvdevKeys("auto", "x11"));
  EXPECT_FALSE(ReadsEvdevKeys("auto", "offscreen"));
  EXPECT_TRUE(ReadsEvdevKeys("on", "x11"));
  EXPECT_FALSE(ReadsEvdevKeys("off", "KMSDRM"));
}

}  // namespace
}  // namespace kiosk_sdl

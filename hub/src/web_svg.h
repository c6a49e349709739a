// Server-side SVG charts for the admin pages: plain shapes and text, dark on white, so that they
// print as they show. No script.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hub::web {

struct Bar {
  std::string label;  // under the bar (every nth shown when there are many)
  int64_t value = 0;
};

// A bar chart with a y axis from 0 to the largest value, `title` as its accessible name.
std::string BarChartSvg(const std::string& title, const std::vector<Bar>& bars, int width = 720,
                        int height = 220);

}  // namespace hub::web

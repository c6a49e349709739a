#include "web_svg.h"

#include <algorithm>
#include <cstdio>

#include "web_util.h"

namespace hub::web {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// 1, 2, 5, 10, 20, 50...: the smallest such step giving at most 5 grid lines up to `max`.
int64_t GridStep(int64_t max) {
  int64_t step = 1;
  for (int64_t mult = 1;; mult *= 10) {
    for (int64_t s : {1, 2, 5}) {
      step = s * mult;
      if (max / step <= 5) return step;
    }
  }
}

}  // namespace

std::string BarChartSvg(const std::string& title, const std::vector<Bar>& bars, int width,
                        int height) {
  const double left = 48, right = 8, top = 8, bottom = 28;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  int64_t max = 1;
  for (const Bar& b : bars) max = std::max(max, b.value);
  const int64_t step = GridStep(max);
  max = (max + step - 1) / step * step;
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"" +
      std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
      std::to_string(width) + " " + std::to_string(height) + "\"><title>" + Html(title) +
      "</title>";
  for (int64_t g = 0; g <= max; g += step) {
    const double y = top + plot_h - plot_h * static_cast<double>(g) / static_cast<double>(max);
    svg += "<line x1=\"" + Num(left) + "\" x2=\"" + Num(left + plot_w) + "\" y1=\"" + Num(y) +
           "\" y2=\"" + Num(y) + "\" stroke=\"#bbb\" stroke-width=\"0.5\"/>";
    svg += "<text x=\"" + Num(left - 4) + "\" y=\"" + Num(y + 4) +
           "\" text-anchor=\"end\" font-size=\"11\">" + std::to_string(g) + "</text>";
  }
  const double slot = bars.empty() ? plot_w : plot_w / static_cast<double>(bars.size());
  const size_t label_every = std::max<size_t>(1, bars.size() / 12);
  for (size_t i = 0; i < bars.size(); ++i) {
    const double h = plot_h * static_cast<double>(bars[i].value) / static_cast<double>(max);
    const double x = left + slot * static_cast<double>(i) + slot * 0.1;
    svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(top + plot_h - h) + "\" width=\"" +
           Num(slot * 0.8) + "\" height=\"" + Num(h) + "\" fill=\"#345\"><title>" +
           Html(bars[i].label) + ": " + std::to_string(bars[i].value) + "</title></rect>";
    if (i % label_every == 0) {
      svg += "<text x=\"" + Num(x + slot * 0.4) + "\" y=\"" + Num(height - 10) +
             "\" text-anchor=\"middle\" font-size=\"10\">" + Html(bars[i].label) + "</text>";
    }
  }
  svg += "<line x1=\"" + Num(left) + "\" x2=\"" + Num(left + plot_w) + "\" y1=\"" +
         Num(top + plot_h) + "\" y2=\"" + Num(top + plot_h) + "\" stroke=\"#000\"/></svg>";
  return svg;
}

}  // namespace hub::web

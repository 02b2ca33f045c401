// An axis-aligned box in frame pixels, integer like OpenCV's cv::Rect:
// (x, y) is the top-left pixel, w and h the size.
#pragma once

namespace et {

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  friend bool operator==(const Box&, const Box&) = default;
};

}  // namespace et

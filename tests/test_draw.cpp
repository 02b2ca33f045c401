// Drawing, the bitmap font, plots and atomic image/file output
// (tracker/draw.h, tracker/plot.h, tracker/image_write.h).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"
#include "tracker/draw.h"
#include "tracker/image.h"
#include "tracker/image_write.h"
#include "tracker/metrics.h"
#include "tracker/plot.h"
#include "weights/atomic_file.h"

namespace et {
namespace {

constexpr Rgb kW{255, 255, 255}, kK{0, 0, 0}, kR{255, 0, 0};

// The image as rows of '#' (colour `on`) and '.' (anything else).
std::string ascii(const Image& img, Rgb on) {
  std::string s;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) s += pixel_at(img, x, y) == on ? '#' : '.';
    s += '\n';
  }
  return s;
}

std::size_t count(const Image& img, Rgb c) {
  std::size_t n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) n += pixel_at(img, x, y) == c ? 1 : 0;
  return n;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("draw: rectangles and fills clip to the image") {
  Image img = make_image(6, 5, kW);
  draw_rect(img, 1, 1, 4, 3, kK);
  CHECK(ascii(img, kK) ==
        "......\n"
        ".####.\n"
        ".#..#.\n"
        ".####.\n"
        "......\n");
  fill_rect(img, -3, -3, 5, 5, kR);  // covers (0..1, 0..1) only
  CHECK(count(img, kR) == 4);
  fill_rect(img, 100, 100, 5, 5, kR);
  fill_rect(img, 2, 2, -4, 3, kR);
  CHECK(count(img, kR) == 4);
  Image thick = make_image(7, 7, kW);
  draw_rect(thick, 0, 0, 7, 7, kK, 2);
  CHECK(count(thick, kK) == 49 - 9);
  CHECK(test::error_of([] { make_image(0, 3, kW); }) == "make_image: size: got 0x3, expected 1..16384 on each side");
  CHECK(test::error_of([&] { pixel_at(img, 6, 0); }) == "pixel_at: got (6, 0), expected a pixel of the 6x5 image");
}

TEST_CASE("draw: lines include both ends, and far-away end points are clipped, not walked") {
  Image img = make_image(5, 5, kW);
  draw_line(img, 0, 0, 4, 4, kK);
  CHECK(ascii(img, kK) ==
        "#....\n"
        ".#...\n"
        "..#..\n"
        "...#.\n"
        "....#\n");
  Image h = make_image(5, 3, kW);
  draw_line(h, 4, 1, 0, 1, kK);
  CHECK(ascii(h, kK) == ".....\n#####\n.....\n");
  Image far = make_image(50, 50, kW);
  const auto start = std::chrono::steady_clock::now();
  draw_line(far, -1e9, 25, 1e9, 25, kK, 3);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));
  CHECK(count(far, kK) == 150);  // rows 24..26, all 50 columns
  draw_line(far, 0, 0, std::nan(""), 3, kR);
  CHECK(count(far, kR) == 0);
}

TEST_CASE("draw: the bitmap font, its metrics, unknown characters and vertical text") {
  Image img = make_image(5, 8, kW);
  draw_text(img, 0, 0, "T", kK);
  CHECK(ascii(img, kK) ==
        "#####\n"
        "..#..\n"
        "..#..\n"
        "..#..\n"
        "..#..\n"
        "..#..\n"
        "..#..\n"
        ".....\n");
  Image p = make_image(5, 8, kW);
  draw_text(p, 0, 0, "p", kK);  // a descender: drawn one row lower
  CHECK(ascii(p, kK) ==
        ".....\n"
        ".....\n"
        "####.\n"
        "#...#\n"
        "#...#\n"
        "####.\n"
        "#....\n"
        "#....\n");
  CHECK(text_width("ab", 2) == 22);  // (2*6 - 1) * 2
  CHECK(text_width("", 3) == 0);
  CHECK(text_height(2) == 16);
  Image unknown = make_image(5, 8, kW), question = make_image(5, 8, kW);
  draw_text(unknown, 0, 0, "\x01", kK);
  draw_text(question, 0, 0, "?", kK);
  CHECK(unknown.rgb == question.rgb);
  Image scaled = make_image(10, 16, kW);
  draw_text(scaled, 0, 0, "T", kK, 2);
  CHECK(count(scaled, kK) == 4 * 11);
  // "L" turned a quarter counter-clockwise: the stem lies along the bottom,
  // the foot points up on the right.
  Image v = make_image(8, 5, kW);
  draw_text_vertical(v, 0, 0, "L", kK);
  CHECK(ascii(v, kK) ==
        "......#.\n"
        "......#.\n"
        "......#.\n"
        "......#.\n"
        "#######.\n");
}

TEST_CASE("draw: box resampling averages when shrinking and repeats when enlarging; blit clips") {
  Image src = make_image(4, 2, kK);
  fill_rect(src, 0, 0, 2, 2, {100, 0, 0});
  fill_rect(src, 2, 0, 2, 2, {0, 0, 201});
  const Image half = resize_box(src, 2, 1);
  CHECK(pixel_at(half, 0, 0) == Rgb{100, 0, 0});
  CHECK(pixel_at(half, 1, 0) == Rgb{0, 0, 201});
  CHECK(pixel_at(resize_box(src, 1, 1), 0, 0) == Rgb{50, 0, 101});  // (4*201 + 2)/8 rounded
  const Image big = resize_box(Image{1, 1, {7, 8, 9}}, 3, 2);
  CHECK(count(big, {7, 8, 9}) == 6);
  Image dst = make_image(3, 3, kW);
  blit(dst, make_image(2, 2, kR), 2, -1);
  CHECK(ascii(dst, kR) == "..#\n...\n...\n");
}

TEST_CASE("image_write: PNG round-trips exactly, JPEG closely; the format follows the extension") {
  const std::string dir = test::temp_dir("image-write");
  Image img = make_image(37, 21, {10, 200, 30});
  draw_text(img, 1, 1, "et 42", {250, 5, 128});
  save_image(img, dir + "/a.png");
  const Image back = load_image(dir + "/a.png");
  CHECK(back.width == 37);
  CHECK(back.height == 21);
  CHECK(back.rgb == img.rgb);
  save_image(make_image(16, 8, {120, 60, 200}), dir + "/b.JPG", 95);
  const Image jpeg = load_image(dir + "/b.JPG");
  CHECK(jpeg.width == 16);
  for (std::size_t i = 0; i < jpeg.rgb.size(); i += 3) {
    CHECK(std::abs(jpeg.rgb[i] - 120) <= 3);
    CHECK(std::abs(jpeg.rgb[i + 2] - 200) <= 3);
  }
  CHECK(read_text(dir + "/b.JPG").substr(0, 2) == "\xFF\xD8");
  CHECK(test::error_of([&] { save_image(img, dir + "/c.gif"); }) ==
        dir + "/c.gif: image format: got extension '.gif', expected .png, .jpg or .jpeg");
  CHECK(test::error_of([&] { save_image(Image{2, 2, {1, 2, 3}}, dir + "/d.png"); }) ==
        dir + "/d.png: cannot save an invalid image: got 2x2 with 3 samples, expected 12 samples and at least 1x1");
  CHECK(test::error_of([&] { save_image(img, dir + "/e.jpg", 0); }) == dir + "/e.jpg: JPEG quality: got 0, expected 1..100");
  CHECK(files_in(dir) == std::vector<std::string>{"a.png", "b.JPG"});
}

TEST_CASE("image_write: files are replaced atomically and failures leave no temporary file") {
  const std::string dir = test::temp_dir("atomic");
  write_file_atomic(dir + "/out.txt", "first\n");
  write_file_atomic(dir + "/out.txt", "second\n");
  CHECK(read_text(dir + "/out.txt") == "second\n");
  CHECK(test::error_of([&] { write_file_atomic(dir + "/missing/out.txt", "x"); }) ==
        dir + "/missing/out.txt: cannot write: No such file or directory");
  std::filesystem::create_directories(dir + "/a_folder/inner");
  CHECK(test::error_of([&] { write_file_atomic(dir + "/a_folder", "x"); }) ==
        dir + "/a_folder: cannot replace with the new file: Is a directory");
  CHECK(std::filesystem::is_directory(dir + "/a_folder/inner"));
  CHECK(files_in(dir) == std::vector<std::string>{"a_folder", "out.txt"});
}

TEST_CASE("plot: axes, ticks, legend and curves are drawn; bad input is an error") {
  const std::vector<BoxF> gt{{0, 0, 10, 10}, {0, 0, 10, 10}};
  const std::vector<BoxF> good{{0, 0, 10, 10}, {1, 0, 10, 10}}, bad{{30, 30, 10, 10}, {0, 0, 10, 10}};
  const std::vector<SequenceMetrics> m{evaluate_sequence(good, gt), evaluate_sequence(bad, gt)};
  const std::vector<std::string> names{"alpha", "beta"};
  const Image img = evaluation_plot(names, m, mean_metrics(m), "test plot");
  CHECK(img.width == 1520);
  CHECK(img.height == 660);
  CHECK(count(img, plot_colour(0)) > 200);  // alpha's curves and legend swatches
  CHECK(count(img, plot_colour(1)) > 200);
  CHECK(count(img, kK) > 2000);             // mean curves, text, ticks
  CHECK(count(img, plot_colour(2)) == 0);
  const std::vector<std::string> one{"alpha"};
  CHECK(test::error_of([&] { evaluation_plot(one, m, mean_metrics(m), "x"); }) ==
        "evaluation_plot: got 1 names and 2 metrics, expected one name per sequence");
  Image canvas = make_image(400, 300, kW);
  PlotSpec spec;
  spec.x_max = 0;
  CHECK(test::error_of([&] { draw_plot(canvas, 0, 0, 400, 300, spec); }) ==
        "draw_plot: axis range: got x 0.000..0.000, y 0.000..1.000, expected min < max on both");
  spec.x_max = 1;
  spec.curves.push_back({"c", {0, 1}, {0}, kR, 1});
  CHECK(test::error_of([&] { draw_plot(canvas, 0, 0, 400, 300, spec); }) ==
        "draw_plot: curve 'c': got 2 x values and 1 y values, expected as many of each");
  spec.curves.clear();
  CHECK(test::error_of([&] { draw_plot(canvas, 0, 0, 40, 30, spec); }) ==
        "draw_plot: rectangle 40x30 is too small for the labels, expected more room");
}

}  // namespace et

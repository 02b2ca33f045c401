/* efficienttrack.h: the C API of efficienttrack, a CPU inference engine and
 * tracker for lightweight transformer visual-object trackers.
 *
 * Plain C (C89 and later; also valid C++), opaque handles, no exceptions,
 * no exit()/abort(): every function that can fail returns an et_status and
 * leaves a message saying what was wrong (see "Errors" below).
 *
 *   et_model   an immutable loaded model (weights checked at load). Share one
 *              between any number of trackers on any threads.
 *   et_tracker one target's tracking state (its own activations and buffers).
 *              Use a tracker from one thread at a time.
 *   et_frame   a description of a caller-owned pixel buffer (no copy is kept).
 *   et_image   an image file decoded by the library (a convenience for
 *              programs that have no image decoder of their own).
 *
 * Typical use (error checks shortened; see examples/track_sequence.c):
 *
 *   et_model* model; et_tracker* tracker; et_result r;
 *   et_frame frame = {pixels, width, height, stride, ET_PIXEL_BGR8};
 *   et_box box = {x, y, w, h};
 *   if (et_model_load("model.etb", &model) != ET_OK) puts(et_last_error());
 *   et_tracker_create(model, NULL, &tracker);   (NULL: the model's defaults)
 *   et_tracker_init(tracker, &frame, &box);
 *   for each further frame: et_tracker_update(tracker, &frame, &r);
 *   et_tracker_free(tracker); et_model_free(model);
 *
 * Linking: the shared library libefficienttrack.so exports only the et_*
 * functions below; the static library libefficienttrack.a also needs the C++
 * runtime, libm and OpenMP (pkg-config --static --libs efficienttrack, or
 * CMake's efficienttrack::efficienttrack_static, add them). Neither needs
 * any other header than this one (efficienttrack.hpp wraps it for C++).
 */
#ifndef EFFICIENTTRACK_H
#define EFFICIENTTRACK_H

#include <stddef.h>

/* The library version these declarations belong to; et_version() gives the
 * version of the library actually linked. */
#define ET_VERSION_MAJOR 0
#define ET_VERSION_MINOR 1
#define ET_VERSION_PATCH 0
#define ET_VERSION_STRING "0.1.0"

#if defined(_WIN32)
#if defined(ET_BUILDING_LIBRARY)
#define ET_API __declspec(dllexport)
#elif defined(ET_STATIC)
#define ET_API
#else
#define ET_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
/* The library is built with -fvisibility=hidden; only these are exported. */
#define ET_API __attribute__((visibility("default")))
#else
#define ET_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Errors --------------------------------------------------------------
 * Every function returning et_status also records a message: on this thread
 * (et_last_error) and, for functions taking a tracker, on that tracker
 * (et_tracker_error). A successful call sets the message to "". Messages
 * name the function and the argument and say what was got and what was
 * expected, e.g. "et_tracker_update: frame: stride: got 90 bytes, expected
 * at least width 40 x 3 bytes per RGB8 pixel = 120". */
typedef enum et_status {
  ET_OK = 0,
  ET_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, a bad size, stride, pixel format, box or option */
  ET_ERROR_NOT_INITIALIZED = 2,  /* et_tracker_update before a successful et_tracker_init */
  ET_ERROR_MODEL = 3,            /* model file missing, unreadable or malformed; unknown model name */
  ET_ERROR_IMAGE = 4,            /* image file missing, unreadable or not decodable */
  ET_ERROR_UNSUPPORTED = 5,      /* an ISA this build or CPU cannot run; threads without OpenMP */
  ET_ERROR_OUT_OF_MEMORY = 6,
  ET_ERROR_INTERNAL = 7,         /* an unexpected failure inside the library; the message says what */
  ET_STATUS_FORCE_INT = 0x7fffffff /* not a status: keeps every value up to INT_MAX valid (as in Vulkan) */
} et_status;

/* "ET_OK", "ET_ERROR_INVALID_ARGUMENT", ...; "unknown status" otherwise. */
ET_API const char* et_status_name(et_status status);
/* The message of the latest et_status-returning call made on this thread
 * ("" if it succeeded). Valid until the next such call on this thread. */
ET_API const char* et_last_error(void);

/* ---- Library ------------------------------------------------------------- */
ET_API const char* et_version_string(void); /* "0.1.0" */
/* Any pointer may be NULL. */
ET_API void et_version(int* major, int* minor, int* patch);
/* The weight-blob format version this library reads (weights/FORMAT.md). */
ET_API unsigned int et_blob_format_version(void);

/* The instruction set the kernels use: "reference", "avx2", "avx512" or
 * "neon". The best one the CPU runs, unless $ET_ISA or et_set_isa chose. */
ET_API const char* et_active_isa(void);
/* Selects the kernels of trackers created afterwards (existing trackers
 * keep theirs). ET_ERROR_INVALID_ARGUMENT for an unknown name,
 * ET_ERROR_UNSUPPORTED for one this build or CPU cannot run. Process-wide:
 * call it before creating trackers, not while other threads create them. */
ET_API et_status et_set_isa(const char* name);

/* OpenMP threads for the parallel regions of the calling thread's updates
 * (omp_set_num_threads); threads >= 1. The engine is tuned for one thread
 * per tracker. A tracker's convolutions and attention run on at most the
 * threads that were set when it was created (their scratch has a part per
 * thread): set this first. ET_ERROR_UNSUPPORTED if the library was built without OpenMP. */
ET_API et_status et_set_threads(int threads);
/* The threads the calling thread's parallel regions would use (1 without OpenMP). */
ET_API int et_threads(void);

/* ---- Models -------------------------------------------------------------- */
typedef struct et_model et_model;

/* A weight blob (.etb) path, a built-in name ("vittrack-zoo", looked up in
 * $ET_MODEL_DIR, by default the build's models folder) or a config name
 * ("et-c128-d3-af-ln-conv3x3-center": seeded random weights, for tests and
 * benchmarks). On failure *out_model is set to NULL: ET_ERROR_MODEL. */
ET_API et_status et_model_load(const char* path_or_name, et_model** out_model);
/* The same from a blob held in memory (copied; `bytes` may be freed after
 * the call). */
ET_API et_status et_model_load_memory(const void* bytes, size_t size, et_model** out_model);
/* NULL is ignored. Trackers created from the model keep it alive. */
ET_API void et_model_free(et_model* model);

/* ---- Frames -------------------------------------------------------------- */
typedef enum et_pixel_format {
  ET_PIXEL_RGB8 = 1,  /* 3 bytes per pixel: R, G, B */
  ET_PIXEL_BGR8 = 2,  /* 3 bytes: B, G, R (OpenCV's cv::Mat order) */
  ET_PIXEL_RGBA8 = 3, /* 4 bytes: R, G, B, A; alpha is ignored */
  ET_PIXEL_BGRA8 = 4, /* 4 bytes: B, G, R, A; alpha is ignored */
  ET_PIXEL_GRAY8 = 5, /* 1 byte: the gray value stands for R, G and B */
  ET_PIXEL_FORCE_INT = 0x7fffffff /* not a format: a caller's wrong value up to INT_MAX stays checkable */
} et_pixel_format;

/* Bytes per pixel of a format; 0 for a value that is not an et_pixel_format. */
ET_API int et_pixel_format_bytes(et_pixel_format format);

/* A caller-owned frame: row y starts at pixels + y * stride. The library
 * reads it only during the call it is passed to and keeps no pointer. */
typedef struct et_frame {
  const unsigned char* pixels;
  int width, height;      /* >= 1 */
  size_t stride;          /* bytes between row starts, >= width * et_pixel_format_bytes(format) */
  et_pixel_format format;
} et_frame;

/* A box in frame pixels: (x, y) the top-left pixel, w and h the size.
 * Integer, as OpenCV's cv::Rect; round a fractional box half up
 * (floor(v + 0.5)) as the reference tracks do. */
typedef struct et_box {
  int x, y, w, h;
} et_box;

/* ---- Trackers ------------------------------------------------------------ */
typedef enum et_tracker_mode {
  ET_MODE_OPENCV = 0, /* OpenCV TrackerVit's boxes, quirks included (BGR planes, edge column) */
  ET_MODE_CORRECT = 1, /* RGB planes; only pixels outside the frame are black */
  ET_MODE_FORCE_INT = 0x7fffffff /* not a mode: a caller's wrong value up to INT_MAX stays checkable */
} et_tracker_mode;

typedef struct et_tracker_options {
  et_tracker_mode mode;
  /* Center-head models: the windowed score at or above which the box moves
   * (found); corner-head models: the confidence threshold. In [0, 1]. */
  float threshold;
} et_tracker_options;

/* The defaults for a model: mode opencv for vittrack-zoo and correct for
 * the other families; threshold 0.2 for center heads, 0 for corner heads. */
ET_API et_status et_tracker_options_default(const et_model* model, et_tracker_options* out_options);

typedef struct et_tracker et_tracker;

/* options NULL: et_tracker_options_default(model). Allocates everything the
 * tracker needs; et_tracker_update allocates nothing once a frame of the
 * same size has been seen. On failure *out_tracker is set to NULL. */
ET_API et_status et_tracker_create(const et_model* model, const et_tracker_options* options,
                                   et_tracker** out_tracker);
/* NULL is ignored. */
ET_API void et_tracker_free(et_tracker* tracker);

/* Starts tracking `box` in `frame`. The box must have w, h >= 1 and overlap
 * the frame (it may reach outside it). A failed init leaves the tracker as
 * it was (a new tracker stays uninitialised). */
ET_API et_status et_tracker_init(et_tracker* tracker, const et_frame* frame, const et_box* box);

typedef struct et_result {
  et_box box;  /* the new box, or the previous one when !found */
  float score; /* center head: windowed score maximum; corner head: confidence; 0 if the network did not run */
  int found;   /* 1 if the box moved to the new detection, else 0 */
} et_result;

/* Tracks the target into `frame` (any size; boxes stay in its pixels).
 * ET_ERROR_NOT_INITIALIZED before a successful et_tracker_init. On failure
 * *out_result is left unchanged. */
ET_API et_status et_tracker_update(et_tracker* tracker, const et_frame* frame, et_result* out_result);

/* The message of the latest et_status-returning call on this tracker ("" if
 * it succeeded; a fixed text for a NULL tracker). Valid until the next call
 * on the tracker. */
ET_API const char* et_tracker_error(const et_tracker* tracker);

/* ---- Image files (a convenience, separate from the pixel-buffer path) ----
 * Decodes JPEG, PNG, BMP, TGA, GIF (first frame), PSD, PIC, PNM and HDR into
 * 8-bit RGB (gray is replicated, alpha dropped, 16-bit keeps the high byte). */
typedef struct et_image et_image;

/* On failure *out_image is set to NULL: ET_ERROR_IMAGE. */
ET_API et_status et_image_load(const char* path, et_image** out_image);
/* An ET_PIXEL_RGB8 frame over the image's pixels, valid until et_image_free. */
ET_API et_status et_image_frame(const et_image* image, et_frame* out_frame);
/* NULL is ignored. */
ET_API void et_image_free(et_image* image);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EFFICIENTTRACK_H */

/* Tracks one target through a sequence folder (DIR/img/<frames>,
 * DIR/groundtruth.txt) with the efficienttrack C API and prints one
 * x,y,w,h,score line per frame, as `efficienttrack track` does: the first
 * line is the init box (the first ground-truth row) with score 1.
 *
 *   track_sequence MODEL SEQUENCE_DIR [MAX_FRAMES]
 *
 * MODEL: a .etb blob path or a built-in model name; MAX_FRAMES: track only
 * the first N frames (0 or absent: all). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "efficienttrack.h"

#define MAX_PATH 4096

static int is_frame(const char* name) {
  const char* dot = strrchr(name, '.');
  return dot != NULL && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 ||
                         strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".bmp") == 0);
}

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

/* The frame file names of DIR/img, sorted; NULL if none. */
static char** list_frames(const char* img_dir, size_t* count) {
  DIR* dir = opendir(img_dir);
  struct dirent* entry;
  char** names = NULL;
  size_t n = 0, capacity = 0;
  if (dir == NULL) return NULL;
  while ((entry = readdir(dir)) != NULL) {
    if (!is_frame(entry->d_name)) continue;
    if (n == capacity) {
      char** grown = realloc(names, (capacity = capacity ? 2 * capacity : 64) * sizeof *names);
      if (grown == NULL) break;
      names = grown;
    }
    if ((names[n] = malloc(strlen(entry->d_name) + 1)) == NULL) break;
    strcpy(names[n++], entry->d_name);
  }
  closedir(dir);
  if (n > 0) qsort(names, n, sizeof *names, by_name);
  *count = n;
  return names;
}

/* floor(v + 0.5): OpenCV boxes are integers, rounded half up. */
static int round_half_up(double v) {
  double t = v + 0.5;
  long i = (long)t;
  return (int)((double)i > t ? i - 1 : i);
}

/* The first row of groundtruth.txt: x,y,w,h separated by commas, tabs or spaces. */
static int read_init_box(const char* path, et_box* box) {
  double v[4];
  char line[256];
  FILE* f = fopen(path, "r");
  int ok = f != NULL && fgets(line, sizeof line, f) != NULL;
  if (f != NULL) fclose(f);
  if (ok) {
    char* p;
    for (p = line; *p; ++p)
      if (*p == ',' || *p == '\t') *p = ' ';
    ok = sscanf(line, "%lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3]) == 4;
  }
  if (!ok) return 0;
  box->x = round_half_up(v[0]), box->y = round_half_up(v[1]);
  box->w = round_half_up(v[2]), box->h = round_half_up(v[3]);
  return box->w >= 1 && box->h >= 1;
}

int main(int argc, char** argv) {
  char path[MAX_PATH];
  char** frames;
  size_t count = 0, i, limit;
  et_model* model = NULL;
  et_tracker* tracker = NULL;
  et_box box;
  int failed = 0;

  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s MODEL SEQUENCE_DIR [MAX_FRAMES]\n", argv[0]);
    return 2;
  }
  limit = argc == 4 ? (size_t)strtoul(argv[3], NULL, 10) : 0;
  snprintf(path, sizeof path, "%s/groundtruth.txt", argv[2]);
  if (!read_init_box(path, &box)) {
    fprintf(stderr, "%s: cannot read a first row x,y,w,h with w, h >= 1\n", path);
    return 1;
  }
  snprintf(path, sizeof path, "%s/img", argv[2]);
  frames = list_frames(path, &count);
  if (count == 0) {
    fprintf(stderr, "%s: no frames (.jpg, .jpeg, .png or .bmp)\n", path);
    return 1;
  }
  if (limit == 0 || limit > count) limit = count;

  if (et_model_load(argv[1], &model) != ET_OK || et_tracker_create(model, NULL, &tracker) != ET_OK) {
    fprintf(stderr, "%s\n", et_last_error());
    failed = 1;
  }
  for (i = 0; i < limit && !failed; ++i) {
    et_image* image = NULL;
    et_frame frame;
    et_result r;
    snprintf(path, sizeof path, "%s/img/%s", argv[2], frames[i]);
    if (et_image_load(path, &image) != ET_OK || et_image_frame(image, &frame) != ET_OK) {
      fprintf(stderr, "%s\n", et_last_error());
      failed = 1;
    } else if (i == 0) {
      failed = et_tracker_init(tracker, &frame, &box) != ET_OK;
      if (!failed) printf("%d,%d,%d,%d,%.6f\n", box.x, box.y, box.w, box.h, 1.0);
    } else {
      failed = et_tracker_update(tracker, &frame, &r) != ET_OK;
      if (!failed) printf("%d,%d,%d,%d,%.6f\n", r.box.x, r.box.y, r.box.w, r.box.h, (double)r.score);
    }
    if (failed && image != NULL) fprintf(stderr, "frame %s: %s\n", path, et_tracker_error(tracker));
    et_image_free(image);
  }
  fprintf(stderr, "%lu frames, %s kernels\n", (unsigned long)i, et_active_isa());

  et_tracker_free(tracker);
  et_model_free(model);
  for (i = 0; i < count; ++i) free(frames[i]);
  free(frames);
  return failed;
}

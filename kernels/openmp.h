// OpenMP's thread queries, or those of one thread in a build without
// OpenMP (the fuzz targets), where the parallel pragmas are ignored too.
#pragma once
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace et {

// The threads a parallel region opened here would get (omp_get_max_threads).
inline int openmp_max_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Whether a parallel region opened here would get more than one thread:
// not with one thread set, nor inside a region already at the deepest
// active level (a nested region gets one thread unless nesting is on).
inline bool openmp_region_has_team() {
#if defined(_OPENMP)
  return omp_get_max_threads() > 1 && omp_get_active_level() < omp_get_max_active_levels();
#else
  return false;
#endif
}

// Inside a parallel region: its team's size and this thread's index in it.
inline int openmp_team_size() {
#if defined(_OPENMP)
  return omp_get_num_threads();
#else
  return 1;
#endif
}

inline int openmp_thread_index() {
#if defined(_OPENMP)
  return omp_get_thread_num();
#else
  return 0;
#endif
}

}  // namespace et

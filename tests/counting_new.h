// Replaces the global operator new and delete of a test executable to count
// heap allocations while `allocation_counting` is on (any thread). Include it
// in exactly ONE translation unit of an executable: the replacements are
// ordinary definitions. Used by et_tests (tests/test_tracker.cpp) and
// et_alloc_tests (tests/alloc/test_no_allocation.cpp).
#pragma once
#include <atomic>
#include <cstdlib>
#include <new>

namespace et::test {
inline std::atomic<bool> allocation_counting{false};
inline std::atomic<long> allocations{0};

// Counts the allocations `body` makes, on every thread.
template <class Body>
long allocations_during(const Body& body) {
  allocations = 0;
  allocation_counting = true;
  body();
  allocation_counting = false;
  return allocations.load();
}
}  // namespace et::test

// GCC 12 cannot see that these replacements pair malloc with free.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (et::test::allocation_counting.load(std::memory_order_relaxed))
    et::test::allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
// The nothrow forms too (std::stable_sort's buffer uses them): left to the
// runtime, they would pair its allocator with the free() below, which
// AddressSanitizer reports as an alloc-dealloc mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return ::operator new(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return ::operator new(n, std::nothrow); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

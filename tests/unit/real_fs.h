// The real filesystem for tests, which are their own main(): one stateless base::PosixFileSystem.
#pragma once

#include "base/fs.h"

namespace cktest {

inline base::FileSystem& RealFs() {
  static base::PosixFileSystem fs;
  return fs;
}

}  // namespace cktest

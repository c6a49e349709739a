# ck_warnings: strict warnings for every project target (linked PRIVATE). They are errors when
# CK_WERROR is on (the project's own test script and CI turn it on); a plain build of the source with
# another compiler version only warns.
add_library(ck_warnings INTERFACE)
target_compile_options(ck_warnings INTERFACE
  -Wall -Wextra -Wpedantic $<$<BOOL:${CK_WERROR}>:-Werror>
  -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wdouble-promotion
  -Wformat=2 -Wimplicit-fallthrough
  # Designated initializers that leave members at their defaults are intended.
  -Wno-missing-field-initializers
  # GCC 12 at -O3 reports -Wrestrict on std::string concatenation that cannot overlap (GCC bug
  # 105651, fixed in 13): still shown, never an error there.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-error=restrict>)

file(REMOVE_RECURSE
  "CMakeFiles/sphereface_margin.dir/margin_ops.cpp.o"
  "CMakeFiles/sphereface_margin.dir/margin_ops.cpp.o.d"
  "libsphereface_margin.pdb"
  "libsphereface_margin.so"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/sphereface_margin.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()

# Every third-party dependency comes from a Debian 12 package installed by scripts/setup.
# Nothing is downloaded or vendored.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
find_package(LibArchive REQUIRED)
# libarchive is linked statically when Debian's static archive is there: Probity uses only
# its read filters (gzip, bzip2, xz, zstd) and the raw, tar and zip formats, and the shared
# library would load libxml2, ICU, nettle, libacl and lz4 at every start (about 8 ms). The zip
# reader's decryption code (archive_cryptor.c) needs nettle, linked statically too.
find_library(PROBITY_LIBARCHIVE_STATIC NAMES libarchive.a)
find_library(PROBITY_NETTLE_STATIC NAMES libnettle.a)
find_package(ZLIB REQUIRED)  # gzip: zlib checks CRC-32 (libarchive's gzip filter does not)
find_package(BZip2)
find_package(LibLZMA)
find_library(PROBITY_ZSTD_LIBRARY NAMES zstd)
add_library(probity_libarchive INTERFACE)
if(PROBITY_LIBARCHIVE_STATIC AND PROBITY_NETTLE_STATIC AND ZLIB_FOUND AND BZIP2_FOUND AND
   LIBLZMA_FOUND AND PROBITY_ZSTD_LIBRARY)
  target_include_directories(probity_libarchive INTERFACE ${LibArchive_INCLUDE_DIRS})
  target_link_libraries(probity_libarchive INTERFACE ${PROBITY_LIBARCHIVE_STATIC} ZLIB::ZLIB
                        BZip2::BZip2 LibLZMA::LibLZMA ${PROBITY_ZSTD_LIBRARY}
                        ${PROBITY_NETTLE_STATIC})
else()
  target_link_libraries(probity_libarchive INTERFACE LibArchive::LibArchive)
endif()
find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(pugixml REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Boost 1.74 REQUIRED)  # header-only: Boost.Math and Boost.Random (fairness/)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)  # header-only: least squares in explain/
# Data-parallel kernels (model scoring). GCC uses libgomp, clang-14 Debian's libomp-14-dev.
find_package(OpenMP REQUIRED COMPONENTS CXX)
if(PROBITY_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(PROBITY_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
# yaml-cpp 0.7 on Debian 12 exports the plain target name `yaml-cpp`.
if(TARGET yaml-cpp AND NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
endif()

# Every third-party dependency comes from a Debian 12 package installed by scripts/setup.
# Nothing is downloaded or vendored.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
find_package(LibArchive REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
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

# bedrock_providers — the provider HTTP layer (libcurl, rate limits, breakers) and
# every HTTP provider. Included by worker/CMakeLists.txt and, until then, by
# tests/providers/providers.cmake (guarded with if(NOT TARGET bedrock_providers)).
#
# Every .c file of worker/providers/ belongs to the library, so that a new provider
# (or musicbrainz_parse.c, ...) needs no edit here.
file(GLOB BEDROCK_PROVIDERS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/worker/providers/*.c)
list(SORT BEDROCK_PROVIDERS_SOURCES)
add_library(bedrock_providers STATIC ${BEDROCK_PROVIDERS_SOURCES})
target_include_directories(bedrock_providers PUBLIC ${CMAKE_SOURCE_DIR}/worker/providers)
target_link_libraries(bedrock_providers PUBLIC
  bedrock_common PkgConfig::CURL PkgConfig::JANSSON PkgConfig::OPENSSL)

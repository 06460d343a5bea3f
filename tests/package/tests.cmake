# Installation and the Debian package (cmake/install.cmake), labelled
# "package". package.build runs cpack over this build tree; package.contents
# and package.run read what it made.
#
# The package holds this tree's binaries, so in the ASan+UBSan test build it
# holds sanitized ones: their Depends then name libasan and libubsan too, and
# they run wherever the compiler that built them is installed. That is enough
# for what is checked here (layout, control files, that the installed
# programs start) and costs no second build; release packages come from a
# Release tree (deploy/README.md).
set(PACKAGE_CHECK ${CMAKE_CURRENT_SOURCE_DIR}/package/check.sh)
set(PACKAGE_OUT ${CMAKE_BINARY_DIR}/package-test)

add_test(NAME package.build COMMAND ${PACKAGE_CHECK} build ${CMAKE_BINARY_DIR} ${PACKAGE_OUT}
         ${CMAKE_CPACK_COMMAND})
add_test(NAME package.contents COMMAND ${PACKAGE_CHECK} contents ${PACKAGE_OUT} ${PROJECT_VERSION})
add_test(NAME package.run COMMAND ${PACKAGE_CHECK} run ${PACKAGE_OUT} ${PROJECT_VERSION})
# cmake --install with a prefix of its own (not /usr): the plain install.
add_test(NAME package.install COMMAND ${PACKAGE_CHECK} install ${CMAKE_BINARY_DIR} ${PROJECT_VERSION}
         ${CMAKE_COMMAND})
set_tests_properties(package.build PROPERTIES FIXTURES_SETUP chorus_deb)
set_tests_properties(package.contents package.run PROPERTIES FIXTURES_REQUIRED chorus_deb)
set_tests_properties(package.build package.contents package.run package.install PROPERTIES
                     LABELS package SKIP_RETURN_CODE 77 TIMEOUT 300)

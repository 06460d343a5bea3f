# Installation (cmake --install) and the Debian package (cpack -G DEB).
#
# Both programs go to bin/, not sbin/: chorusd is run by hand as well as by
# systemd, by users who are not root (the demo, `chorusd --routes`).
include(GNUInstallDirs)

install(TARGETS chorusd chorus RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES deploy/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/deploy)
install(FILES deploy/chorusd.conf.example deploy/nginx/chorus.conf
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# The unit and the config are placed when installing, not when configuring:
# cpack installs with its own prefix (/usr) whatever the build was configured
# with, and the unit's ExecStart must name the chorusd of that prefix.
install(CODE "
    set(CHORUS_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
    set(CHORUS_BINARY_DIR \"${PROJECT_BINARY_DIR}\")
    set(CHORUS_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
    include(\"${PROJECT_SOURCE_DIR}/cmake/install_system.cmake\")")

# The package, always for /usr whatever prefix the build was configured
# with. DESTDIR staging, so that at install time CMAKE_INSTALL_PREFIX is /usr
# and install_system.cmake puts the unit and the config in /lib and /etc
# rather than under the prefix.
set(CPACK_GENERATOR DEB)
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_NAME chorus)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Chorus maintainers <chorus@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Review aggregation server (chorusd) and its command line (chorus)")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
# postinst makes the user with adduser.
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
# dpkg-shlibdeps (dpkg-dev) reads the libraries the binaries really link,
# so the Depends line cannot drift from the link line. Without it, the
# Debian 12 names by hand.
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libevent-2.1-7, libevent-pthreads-2.1-7, libcurl4, \
libxml2, libjansson4, liblmdb0, libssl3, libc6")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

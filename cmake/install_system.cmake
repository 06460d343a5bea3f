# Run by `cmake --install` and by cpack (install(CODE) in install.cmake), with
# CMAKE_INSTALL_PREFIX the prefix being installed to. Places the systemd unit
# and the config. Under /usr they go where Debian 12 keeps them (/etc,
# /lib/systemd/system); under any other prefix, inside it (systemd also reads
# /usr/local/lib/systemd/system).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(etc /etc)
    set(unitdir /lib/systemd/system)
else()
    set(etc ${CMAKE_INSTALL_PREFIX}/etc)
    set(unitdir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()

set(CHORUSD_PATH ${CMAKE_INSTALL_PREFIX}/${CHORUS_BINDIR}/chorusd)
set(CHORUS_CONFIG_PATH ${etc}/chorus/chorusd.conf)
configure_file(${CHORUS_SOURCE_DIR}/deploy/systemd/chorusd.service.in
               ${CHORUS_BINARY_DIR}/install/chorusd.service @ONLY)
file(INSTALL ${CHORUS_BINARY_DIR}/install/chorusd.service DESTINATION ${unitdir})

# An edited config survives a reinstall, as a dpkg conffile does.
if(EXISTS "$ENV{DESTDIR}${CHORUS_CONFIG_PATH}")
    message(STATUS "Kept: $ENV{DESTDIR}${CHORUS_CONFIG_PATH}")
else()
    file(INSTALL ${CHORUS_SOURCE_DIR}/deploy/chorusd.conf.example DESTINATION ${etc}/chorus
         RENAME chorusd.conf)
endif()

/* The shipped PC-maker taxonomy, written in the document format and built
 * with text_taxonomy_parse, so the default and the file format cannot drift:
 * an operator can copy this text into a file and edit it.
 *
 * The phrases are what customers write, chosen for precision as much as
 * recall: "port*" would also match "portable", "box" would also match "works
 * out of the box", "ups" would also match "pop-ups", so those are spelled out
 * instead. Phrases are tokenized like review text, so "wi-fi" matches
 * "Wi-Fi", "wi fi" and "WI‑FI", and "usb-c" matches "USB C".
 */
#include "chorus/text.h"

#include <stdlib.h>
#include <string.h>

static const char default_taxonomy[] =
    "# Chorus default component taxonomy (PC maker). Format: docs/digest.md.\n"
    "battery | Battery | battery, batteries, battery life, battery health, charge, charging, "
    "charger, drain*, won't charge, wont charge, not charging, stopped charging, hold a charge, "
    "swollen, swelling, bulging, dead battery, dies, power adapter, ac adapter, power brick, "
    "plugged in, unplugged\n"
    "hinge | Hinge | hinge*, lid, lid wobble*, screen wobble*, wobbl*, cracked hinge, broken "
    "hinge, lid won't close, lid won't stay, floppy screen, screen flops, creak*\n"
    "keyboard | Keyboard | keyboard*, keys, keycap*, key stuck, stuck key*, sticky key*, missing "
    "key*, key fell off, keys stick*, spacebar, space bar, enter key, shift key, backspace, caps "
    "lock, key travel, keypress*, typing, backlit keyboard, keyboard backlight, double typ*, "
    "repeating keys\n"
    "touchpad | Touchpad | touchpad*, touch pad, trackpad*, track pad, mousepad, mouse pad, "
    "clickpad, cursor, pointer, palm rejection, tap to click, left click, right click, two "
    "finger scroll*, gesture*, trackpoint\n"
    "fan-heat | Fan and heat | fan, fans, loud fan, fan noise, noisy, overheat*, over heat*, hot, "
    "heat, heats up, heating, thermal*, throttl*, temperature*, temps, runs hot, gets hot, too "
    "hot, cooling, heatsink, heat sink, vent, vents, jet engine, coil whine, whine, whirring\n"
    "display | Display | display, displays, screen, screens, touchscreen, touch screen, pixel*, "
    "dead pixel*, stuck pixel*, backlight*, backlight bleed, light bleed, flicker*, brightness, "
    "dim, nits, glare, glossy, matte, resolution, oled, lcd, ips, ghosting, refresh rate, washed "
    "out, color*, colour*, black screen, blank screen, cracked screen\n"
    "wireless | Wi-Fi and Bluetooth | wifi, wi-fi, wireless, wlan, bluetooth, connection drops, "
    "drops connection, dropping connection, keeps dropping, keeps disconnecting, disconnect*, "
    "internet, router, signal, network, hotspot, pairing, access point, 5ghz, airplane mode\n"
    "firmware | BIOS and firmware | bios, uefi, firmware, bios update, firmware update, update "
    "bricked, bricked, secure boot, boot loop, bootloop, won't boot, wont boot, fails to boot, "
    "boot menu, tpm, cmos, embedded controller\n"
    "drivers | Drivers | driver*, device manager, bsod, blue screen, windows update, chipset, "
    "unknown device, code 43, after the update, after an update, latest update\n"
    "ports | Dock and ports | usb, usb-c, usb-a, usb 3, type-c, port, ports, dock, docks, "
    "docking, docking station, hdmi, thunderbolt, displayport, sd card, card reader, headphone "
    "jack, audio jack, ethernet, rj45, charging port, power port, dc jack, dongle*, loose port, "
    "external monitor\n"
    "shipping | Shipping | shipping, shipped, delivery, delivered, arrived, arrival, never "
    "arrived, box arrived, damaged box, crushed box, dented box, box was damaged, package*, "
    "packing, courier, fedex, usps, dhl, tracking, tracking number, transit, lost in transit, "
    "backorder*, back order*, late delivery\n"
    "support | Support | support, customer service, customer support, tech support, technical "
    "support, warranty, rma, technician, tech, refund*, replacement, repair*, service center, "
    "call center, agent*, representative*, rep, escalat*, ticket, case number, on hold, onsite, "
    "on-site, mail-in, depot, return window, returned it\n";

int text_taxonomy_default(struct text_taxonomy **out)
{
    char err[256];

    /* Invariant: the shipped text parses (tests/unit/text checks it); a
     * failure here is a bug in this file, not bad input. */
    if (text_taxonomy_parse(out, default_taxonomy, strlen(default_taxonomy), err, sizeof(err)))
        abort();
    return 0;
}

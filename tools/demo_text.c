/* The demo catalogue and phrase tables. Kept apart from the generator so the
 * words can be edited without reading the code. Brand and line names are
 * invented; none is meant to be a real trademark. Failure modes are the ones
 * real PC reviews complain about, so the engineer digest and the dashboard
 * have something true-to-life to show. Placeholders: see demo_text.h. */
#include "demo_text.h"

#define L(...)                                                                                     \
    {                                                                                              \
        (const char *const[]){__VA_ARGS__},                                                        \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)                      \
    }

/* ---- catalogue ------------------------------------------------------------ */

const struct demo_line demo__lines[] = {
    {"laptops/ultrabook", "Lumora", "LUM", "Airis", "Ultrabook", "laptop",
     DEMO_G_LAPTOP | DEMO_G_PORTABLE, L("A13", "A14", "A16"), L("Gen 2", "Gen 3", "Gen 4"),
     L("12-core CPU, 16 GB RAM, 512 GB SSD, FHD+ IPS",
       "12-core CPU, 16 GB RAM, 1 TB SSD, 2.8K OLED",
       "16-core CPU, 32 GB RAM, 1 TB SSD, 3K OLED touch"),
     27},
    {"laptops/gaming", "Ferrox", "FRX", "Cinder", "Gaming Laptop", "laptop",
     DEMO_G_LAPTOP | DEMO_G_GAMING, L("V15", "V16", "V18"), L("Gen 2", "Gen 3", "Gen 4"),
     L("8 GB GPU, 16 GB RAM, 1 TB SSD, 165 Hz", "12 GB GPU, 32 GB RAM, 1 TB SSD, 240 Hz",
       "16 GB GPU, 32 GB RAM, 2 TB SSD, 240 Hz Mini-LED"),
     26},
    {"laptops/business", "Castellan", "CST", "Ledger", "Business Laptop", "laptop",
     DEMO_G_LAPTOP | DEMO_G_PORTABLE, L("X13", "X14", "X16"), L("Gen 2", "Gen 3", "Gen 4"),
     L("10-core CPU, 16 GB RAM, 512 GB SSD, FHD IPS", "12-core CPU, 32 GB RAM, 1 TB SSD, 2.5K IPS",
       "12-core CPU, 32 GB RAM, 1 TB SSD, 2.5K IPS, 5G"),
     27},
    {"laptops/2-in-1", "Lumora", "LUM", "Pivot", "2-in-1 Laptop", "laptop",
     DEMO_G_LAPTOP | DEMO_G_PORTABLE, L("P13", "P14"), L("Gen 2", "Gen 3", "Gen 4"),
     L("16 GB RAM, 512 GB SSD, pen included", "16 GB RAM, 1 TB SSD, OLED touch, pen included",
       "32 GB RAM, 1 TB SSD, OLED touch, pen included"),
     18},
    {"desktops/tower", "Castellan", "CST", "Citadel", "Tower Desktop", "desktop", DEMO_G_DESKTOP,
     L("C500", "C700", "C900"), L("Gen 3", "Gen 4", "Gen 5"),
     L("8-core CPU, 16 GB RAM, 512 GB SSD", "16-core CPU, 32 GB RAM, 2 TB SSD"), 15},
    {"desktops/mini", "Castellan", "CST", "Alcove", "Mini PC", "desktop", DEMO_G_DESKTOP,
     L("N1", "N3", "N5"), L("Gen 2", "Gen 3", "Gen 4"),
     L("8 GB RAM, 256 GB SSD, VESA mount", "16 GB RAM, 512 GB SSD, VESA mount"), 14},
    {"desktops/all-in-one", "Lumora", "LUM", "Hearth", "All-in-One", "all-in-one", DEMO_G_DESKTOP,
     L("H24", "H27"), L("Gen 2", "Gen 3", "Gen 4"),
     L("16 GB RAM, 512 GB SSD, FHD touch", "32 GB RAM, 1 TB SSD, QHD touch"), 12},
    {"desktops/gaming", "Ferrox", "FRX", "Forge", "Gaming Desktop", "PC",
     DEMO_G_DESKTOP | DEMO_G_GAMING, L("F5", "F7", "F9"), L("Gen 3", "Gen 4", "Gen 5"),
     L("12 GB GPU, 32 GB RAM, 1 TB SSD, liquid cooled",
       "24 GB GPU, 64 GB RAM, 2 TB SSD, liquid cooled"),
     14},
    {"monitors/office", "Castellan", "CST", "Lucid", "Monitor", "monitor", DEMO_G_MONITOR,
     L("E22", "E24", "E27"), L("", "Gen 2"),
     L("FHD IPS, 75 Hz", "QHD IPS, 100 Hz", "QHD IPS, USB-C 65 W, height adjustable"), 18},
    {"monitors/gaming", "Ferrox", "FRX", "Strobe", "Gaming Monitor", "monitor",
     DEMO_G_MONITOR | DEMO_G_GAMING, L("G25", "G27", "G32"), L("", "Gen 2"),
     L("QHD 180 Hz IPS", "QHD 240 Hz OLED", "4K 160 Hz IPS"), 16},
    {"monitors/professional", "Lumora", "LUM", "Prism", "Pro Monitor", "monitor", DEMO_G_MONITOR,
     L("U27", "U32", "U34"), L("", "Gen 2"),
     L("4K IPS Black, USB-C 90 W", "4K IPS Black, USB-C hub, KVM", "5K, USB-C 140 W, calibrated"),
     14},
    {"monitors/portable", "Lumora", "LUM", "Roam", "Portable Monitor", "monitor",
     DEMO_G_MONITOR | DEMO_G_PORTABLE, L("R14", "R16"), L("", "Gen 2"),
     L("FHD IPS, USB-C", "2.5K IPS, USB-C, 120 Hz", "FHD OLED, USB-C, sleeve included"), 12},
    {"accessories/docks", "Quillon", "QLN", "Harbor", "USB-C Dock", "dock", DEMO_G_DOCK,
     L("D310", "D420", "D610", "D800"), L("", "Gen 2"),
     L("65 W, single 4K", "100 W, dual 4K, 2.5 GbE", "140 W, USB4, triple display"), 16},
    {"accessories/keyboards", "Quillon", "QLN", "Scribe", "Keyboard", "keyboard", DEMO_G_KEYBOARD,
     L("K310", "K520", "K780", "K900"), L("", "Gen 2"),
     L("wireless, US layout", "wireless, UK layout", "mechanical, low profile, US layout"), 18},
    {"accessories/mice", "Quillon", "QLN", "Glide", "Mouse", "mouse", DEMO_G_MOUSE,
     L("M210", "M350", "M500", "M720"), L("", "Gen 2"),
     L("wireless, 2.4 GHz receiver", "wireless, silent clicks", "wired, 26K DPI sensor"), 18},
    {"accessories/headsets", "Ferrox", "FRX", "Howl", "Headset", "headset",
     DEMO_G_HEADSET | DEMO_G_GAMING, L("H1", "H3", "H5", "H7"), L("", "Gen 2"),
     L("wired, 3.5 mm and USB", "wireless, 2.4 GHz", "wireless, active noise cancelling"), 16},
    {"accessories/chargers", "Quillon", "QLN", "Surge", "Charger", "charger",
     DEMO_G_CHARGER | DEMO_G_PORTABLE, L("C45", "C65", "C100", "C140"), L("", "Gen 2"),
     L("USB-C GaN, 1 port", "USB-C GaN, 3 ports", "USB-C GaN, travel plugs"), 14},
    {"accessories/webcams", "Quillon", "QLN", "Sightline", "Webcam", "webcam", DEMO_G_WEBCAM,
     L("W1080", "W2K", "W4K"), L("", "Gen 2"),
     L("autofocus, dual mics", "autofocus, privacy shutter"), 10},
};
const size_t demo__n_lines = sizeof(demo__lines) / sizeof(demo__lines[0]);

/* ---- topics ------------------------------------------------------------- */

const struct demo_topic demo__topics[DEMO_T_COUNT] = {
    [DEMO_T_BATTERY_DRAIN] =
        {DEMO_G_LAPTOP, false, true,
         L("Battery life is nowhere near advertised", "Battery drains overnight in sleep",
           "Barely %h hours on battery", "Terrible battery life",
           "Loses a third of its charge asleep"),
         L("I get maybe %h hours of light browsing, nowhere near the advertised figure.",
           "It drains 20-30%% overnight in sleep, so it's often flat when I open it in the "
           "morning.",
           "The battery drops like a stone as soon as I join a video call.",
           "Even with the power saving mode on, the battery is empty by lunchtime.",
           "After %w weeks the battery health report already shows noticeable wear.",
           "Standby drain is the worst I've seen — it wakes up in my bag and gets warm."),
         L("the battery barely lasts %h hours", "it drains overnight in sleep",
           "battery life is disappointing"),
         L("weak battery", "poor battery life", "battery drain"),
         L("%m battery draining in sleep — anyone found a fix?",
           "Anyone else getting only %h hours on the %m?"),
         L("A recent firmware update reduces standby power use; you can install it from the "
           "support "
           "site.")},
    [DEMO_T_BATTERY_SWELL] =
        {DEMO_G_LAPTOP, false, true,
         L("Battery swelled after %n months", "Swollen battery lifted the touchpad",
           "Battery bulging — safety issue", "Case no longer closes flat"),
         L("After %n months the battery swelled and pushed the touchpad up so it no longer clicks.",
           "The bottom panel started bulging and the laptop now rocks on the desk.",
           "The lid no longer closes flat because the battery has swollen underneath.",
           "A swollen battery is a safety issue, and I had to wait %d days for a replacement.",
           "I keep it plugged in most of the time and the battery still puffed up."),
         L("the battery swelled after a few months", "the battery is bulging"),
         L("swollen battery", "bulging battery"),
         L("Swollen battery on my %m after %n months — warranty?",
           "PSA: check your %m for a bulging battery"),
         L("A swollen battery should not be used: please stop using the device and contact us for "
           "a "
           "free replacement under warranty.")},
    [DEMO_T_HINGE] =
        {DEMO_G_LAPTOP, false, true,
         L("Hinge cracked after %n months", "Hinge broke the bezel", "Weak hinge, cracked case",
           "Hinge failure — again", "Lid wobbles and the hinge is cracking"),
         L("The left hinge cracked the plastic around its mount after %n months of normal use.",
           "Now the screen wobbles and the bezel is separating at the corner.",
           "The hinge has become so stiff that opening the lid flexes the whole display.",
           "Support says hinge damage is physical damage and not covered, which is absurd for a %k "
           "I "
           "open twice a day.",
           "This is the second unit with the same hinge problem.",
           "You can hear the hinge creak every time you open it, and now there is a visible "
           "crack."),
         L("the hinge cracked", "the hinge feels fragile", "the lid wobbles"),
         L("cracked hinge", "fragile hinge"),
         L("%m hinge cracking — is this a known issue?",
           "Cracked hinge on my %m, anyone got it fixed under warranty?",
           "Photos: hinge mount failure on the %p"),
         L("Hinge damage like this is covered by the warranty when it results from normal use, and "
           "we will arrange a repair.")},
    [DEMO_T_FAN_NOISE] =
        {DEMO_G_LAPTOP | DEMO_G_DESKTOP, false, true,
         L("Fan noise is unbearable", "Loud fan even when idle", "Sounds like a jet engine",
           "Fans never stop spinning"),
         L("The fan spins up loudly even when I'm only typing in a document.",
           "Under load it sounds like a hair dryer; I can hear it from the next room.",
           "There's a constant fan hum at idle that drives me nuts in a quiet office.",
           "The fan ramps up and down every few seconds, which is worse than a steady noise.",
           "On video calls people ask what the noise is."),
         L("the fan is loud", "the fans spin up constantly", "it gets noisy under load"),
         L("loud fan", "fan noise", "noisy fans"),
         L("Is the fan on the %m supposed to be this loud at idle?",
           "%p fan ramping up and down constantly"),
         L("Switching the thermal profile to Quiet in the control app and updating the BIOS "
           "usually "
           "reduces fan noise noticeably.")},
    [DEMO_T_THROTTLING] =
        {DEMO_G_LAPTOP | DEMO_G_DESKTOP, false, true,
         L("Thermal throttling ruins performance", "Gets far too hot",
           "Throttles after a few minutes", "Hot to the touch"),
         L("After about five minutes of rendering the CPU throttles and performance falls off a "
           "cliff.",
           "It gets uncomfortably hot during longer sessions.",
           "In games the frame rate halves once the %k heats up.",
           "Temperatures hit 95 °C and the clocks drop to base speed.",
           "It throttles even with the performance profile and a cooling pad."),
         L("it throttles under load", "it runs very hot", "it gets too hot to touch"),
         L("thermal throttling", "heat", "overheating"),
         L("%m thermal throttling under sustained load?", "Repasting the %m — worth it?"),
         L("Please make sure the latest BIOS and thermal driver are installed; if temperatures "
           "stay "
           "high, our service team can check the cooling assembly.")},
    [DEMO_T_FLICKER] =
        {DEMO_G_LAPTOP | DEMO_G_MONITOR, false, true,
         L("Screen flickers", "Flickering at low brightness", "Display flicker makes it unusable",
           "Screen blacks out randomly"),
         L("The screen flickers at low brightness, which gives me headaches.",
           "Every few minutes the display blacks out for a second and comes back.",
           "There is visible flicker when the refresh rate switches on battery.",
           "Flicker appears after waking from sleep and only a reboot fixes it.",
           "With variable refresh on, the panel flickers badly in dark scenes."),
         L("the screen flickers", "the display blacks out now and then"),
         L("screen flicker", "flickering display"),
         L("%m screen flickering after waking from sleep",
           "Anyone else seeing flicker on the %m at low brightness?"),
         L("A display firmware and graphics driver update addresses flickering on this "
           "model; please "
           "install both and let us know if it persists.")},
    [DEMO_T_BACKLIGHT_BLEED] =
        {DEMO_G_LAPTOP | DEMO_G_MONITOR, false, true,
         L("Bad backlight bleed", "Backlight bleed in every corner",
           "Glowing corners on dark scenes", "Bleed and uneven backlight"),
         L("There is strong backlight bleed in the bottom corners, obvious on any dark background.",
           "Films with black bars are ruined by the glow along the edges.",
           "The exchange unit had even worse bleed than the first one.",
           "Uniformity is poor: the left side is noticeably brighter than the right."),
         L("there is obvious backlight bleed", "the backlight is uneven"),
         L("backlight bleed", "uneven backlight"),
         L("How bad is the backlight bleed on your %m?",
           "%m backlight bleed — return it or live with it?"),
         L("Some glow is within panel tolerance, but what you describe sounds beyond it; we are "
           "happy "
           "to exchange the unit.")},
    [DEMO_T_DEAD_PIXELS] =
        {DEMO_G_LAPTOP | DEMO_G_MONITOR, false, true,
         L("Dead pixels out of the box", "Stuck pixel in the middle of the screen",
           "Arrived with dead pixels", "Pixel defects on a premium panel"),
         L("It arrived with %n dead pixels near the centre of the screen.",
           "A bright green stuck pixel appeared after %w weeks, right where I read text.",
           "Support says a few dead pixels are within policy, which is not acceptable on a premium "
           "panel.",
           "There is a thin line of dead pixels along the top edge."),
         L("it came with dead pixels", "there is a stuck pixel"), L("dead pixels", "stuck pixel"),
         L("Dead pixel policy for the %m?", "Stuck pixel on a brand-new %m"),
         L("Our pixel policy covers bright and dark pixel defects like this; please request an "
           "exchange.")},
    [DEMO_T_KEYS] =
        {DEMO_G_LAPTOP | DEMO_G_KEYBOARD, false, true,
         L("Keys stick and double type", "Keyboard double typing", "Sticky space bar",
           "Keys stopped working"),
         L("The E and space keys double type, so I spend half my time correcting words.",
           "Several keys stick and need a firm press to register.",
           "The space bar only registers when pressed in the middle.",
           "After %n months some keys stopped working entirely.",
           "A keycap popped off and won't clip back on.",
           "Key repeat triggers at random, leaving lines of the same letter."),
         L("the keys double type", "some keys stick", "the space bar is unreliable"),
         L("double typing", "sticky keys", "flaky keys"),
         L("%m keyboard double typing — firmware fix?", "Sticky keys on the %p after a few months"),
         L("We have released a keyboard firmware update that reduces double typing; if it "
           "continues, "
           "the keyboard is covered for replacement.")},
    [DEMO_T_TOUCHPAD] =
        {DEMO_G_LAPTOP, false, true,
         L("Touchpad is erratic", "Cursor jumps around", "Touchpad click is broken",
           "Palm rejection is awful"),
         L("The cursor jumps around randomly while I type.",
           "Palm rejection is poor, so I keep clicking in the wrong place.",
           "The touchpad click went mushy after %n months and only the top half works.",
           "Two-finger scrolling stutters and sometimes stops altogether."),
         L("the touchpad is erratic", "the cursor jumps around", "palm rejection is poor"),
         L("erratic touchpad", "jumpy cursor"),
         L("%m touchpad cursor jumping — driver issue?",
           "Anyone fixed the palm rejection on the %m?"),
         L("The latest touchpad driver improves palm rejection; you can find it on the "
           "support page "
           "for your model.")},
    [DEMO_T_WIFI] =
        {DEMO_G_LAPTOP | DEMO_G_DESKTOP, false, true,
         L("Wi-Fi keeps dropping", "Wireless disconnects constantly",
           "Wi-Fi drops several times an hour", "Unstable Wi-Fi"),
         L("Wi-Fi drops several times an hour and only comes back if I toggle it off and on.",
           "Every other device in the house is fine but this %k loses the connection constantly.",
           "Since the last driver update the Wi-Fi disconnects after waking from sleep.",
           "Wireless speeds are a fraction of what my phone gets in the same room.",
           "Video calls freeze every few minutes while the Wi-Fi reconnects."),
         L("the Wi-Fi keeps dropping", "the wireless is unreliable"),
         L("Wi-Fi drops", "flaky Wi-Fi"),
         L("Anyone else seeing Wi-Fi drops on the %m after the latest BIOS?",
           "%m Wi-Fi disconnects after sleep"),
         L("Please install the latest wireless driver and BIOS for your model; together they fix "
           "disconnects after resume.")},
    [DEMO_T_FIRMWARE] =
        {DEMO_G_LAPTOP | DEMO_G_DESKTOP | DEMO_G_DOCK | DEMO_G_MONITOR, false, true,
         L("Firmware update bricked it", "Firmware update killed my %k",
           "Dead after a firmware update", "Update went wrong"),
         L("The firmware update from the support app failed halfway and now it won't power on.",
           "After the firmware update the %k keeps restarting every few minutes.",
           "A recommended firmware update bricked it, and the repair took %d days.",
           "Since the last update the %k no longer wakes from sleep.",
           "The update tool said it succeeded, but the %k has been dead ever since."),
         L("a firmware update bricked it", "the last firmware update broke sleep"),
         L("buggy firmware", "bricking update"),
         L("Firmware update bricked my %m — recovery options?",
           "Should I install the new %m firmware? Reports of bricking"),
         L("We have withdrawn that update and published a fixed version; our repair centre will "
           "restore your unit free of charge.")},
    [DEMO_T_DRIVERS] =
        {DEMO_G_LAPTOP | DEMO_G_DESKTOP | DEMO_G_DOCK | DEMO_G_HEADSET | DEMO_G_WEBCAM, false, true,
         L("Driver nightmare", "Constant driver problems", "Needs better drivers",
           "Crashes until I reinstalled the drivers"),
         L("Audio and graphics drivers crash several times a day.",
           "It blue-screens every few days with a driver error.",
           "The preinstalled drivers are outdated and the support site's versions are even older.",
           "The companion app keeps reinstalling a driver version that breaks sound.",
           "Sleep and resume are unreliable because of a driver bug."),
         L("the drivers are buggy", "it crashes with driver errors"),
         L("buggy drivers", "driver crashes"),
         L("Which driver version is stable on the %m?",
           "%m crashes after the latest driver update"),
         L("Our engineering team knows about this driver issue, and the fix is in the next "
           "update.")},
    [DEMO_T_USBC_PORTS] =
        {DEMO_G_LAPTOP | DEMO_G_DESKTOP | DEMO_G_DOCK | DEMO_G_MONITOR | DEMO_G_CHARGER, false,
         true,
         L("USB-C ports are flaky", "Ports stopped working", "Loose USB-C port",
           "Charging port failed"),
         L("One of the USB-C ports stopped working after %n months.",
           "The USB-C port is loose and power cuts out if I touch the cable.",
           "USB devices randomly disconnect and reconnect.",
           "The ports only work after unplugging and replugging everything.",
           "Power delivery over USB-C stopped working entirely."),
         L("the USB-C ports are flaky", "a USB-C port stopped working"),
         L("flaky ports", "dead USB-C port"),
         L("%m USB-C port stopped charging — anyone else?", "USB devices disconnecting on the %m"),
         L("A failing port is covered by the warranty; please book a repair and we will replace "
           "the "
           "board.")},
    [DEMO_T_DOCK_DISPLAYS] =
        {DEMO_G_DOCK, false, true,
         L("External monitors keep disconnecting", "Dual monitors don't work",
           "Screens go black randomly", "Loses displays after sleep"),
         L("Both external monitors go black for a few seconds several times a day.",
           "After sleep the %k doesn't detect my second monitor until I replug it.",
           "Dual 4K only works at 30 Hz, which is not what the listing promised.",
           "Ethernet on the dock drops whenever the displays wake."),
         L("the external displays keep disconnecting", "it loses the monitors after sleep"),
         L("display dropouts", "flaky monitors"),
         L("%m not detecting second monitor after sleep", "Dual 4K at 60 Hz with the %m?"),
         L("Please update the dock firmware and your laptop's graphics driver; together they "
           "resolve "
           "most display detection problems.")},
    [DEMO_T_MOUSE_BUTTONS] =
        {DEMO_G_MOUSE, false, true,
         L("Double clicks after a few months", "Scroll wheel skips", "Left button failing",
           "Connection drops"),
         L("The left button started double-clicking after %n months.",
           "The scroll wheel skips and sometimes scrolls the wrong way.",
           "The receiver loses the connection more than a metre away.",
           "Dragging files is impossible because the button releases mid-drag."),
         L("the left button double-clicks", "the scroll wheel skips"),
         L("double clicking", "skipping wheel"), L("%m double-click issue — warranty replacement?"),
         L("Double-clicking like this is covered by the warranty; we will send a replacement.")},
    [DEMO_T_HEADSET_ISSUES] =
        {DEMO_G_HEADSET, false, true,
         L("Mic sounds terrible", "Keeps disconnecting", "Uncomfortable after an hour",
           "Headband cracked"),
         L("Everyone on calls says my voice sounds muffled and distant.",
           "The wireless connection drops whenever I turn my head.",
           "It clamps so hard that my ears hurt after an hour.",
           "The headband cracked at the slider after %n months.",
           "There's a constant hiss in the left ear cup."),
         L("the mic sounds muffled", "it clamps too hard", "the connection drops"),
         L("muffled mic", "tight fit", "dropouts"),
         L("%m mic sounding muffled — any settings fix?", "%p headband cracking?"),
         L("A headset firmware update improves the microphone processing; you can install it with "
           "the companion app.")},
    [DEMO_T_CHARGER_FAIL] =
        {DEMO_G_CHARGER, false, true,
         L("Stopped charging after a month", "Gets scary hot", "Buzzing noise", "Cable frayed"),
         L("It stopped charging after %w weeks.", "It gets alarmingly hot while charging a laptop.",
           "There's an audible buzz from the brick under load.",
           "The cable started fraying at the connector.",
           "It charges my laptop slowly despite the advertised wattage."),
         L("it gets very hot", "it stopped charging", "it buzzes under load"),
         L("hot charger", "dead charger"), L("Is it normal for the %m to get this hot?"),
         L("A charger that runs this hot should be replaced; we will send you a new unit.")},
    [DEMO_T_WEBCAM_POOR] =
        {DEMO_G_WEBCAM | DEMO_G_LAPTOP, false, true,
         L("Grainy webcam", "Camera image is terrible", "Webcam not detected", "Blurry video"),
         L("The webcam picture is grainy and washed out even in a bright room.",
           "Autofocus hunts constantly on video calls.",
           "The camera stops being detected after sleep.",
           "Colours are way off; my face looks green."),
         L("the webcam is grainy", "the camera image is poor"), L("grainy webcam", "poor camera"),
         L("Best settings for the %m webcam?"),
         L("A camera firmware update improves exposure and focus; please install it from the "
           "support site.")},
    [DEMO_T_SHIPPING_BAD] =
        {DEMO_G_ALL, false, false,
         L("Arrived damaged", "Shipping took forever", "Box was crushed",
           "Late delivery, damaged box"),
         L("The box arrived crushed and the %k had a dent in the corner.",
           "Delivery took %d days longer than promised, with no updates.",
           "The order was marked delivered but only showed up %n days later.",
           "It arrived with scratches on it, clearly a returned unit resold as new.",
           "Shipping was delayed three times."),
         L("it arrived damaged", "delivery took ages"), L("shipping damage", "late delivery"),
         L("Order for the %m delayed again?"),
         L("We are sorry the delivery went wrong; we will send a replacement at no cost.")},
    [DEMO_T_SUPPORT_BAD] =
        {DEMO_G_ALL, false, false,
         L("Terrible support", "Support is useless", "Waited weeks for a repair",
           "Customer service nightmare"),
         L("I spent %n hours on hold before anyone answered.",
           "Support made me run the same diagnostics three times before agreeing to a repair.",
           "The repair took %w weeks and it came back with the same problem.",
           "Every chat ends with a new case number and no solution.",
           "They keep closing my ticket without fixing anything."),
         L("support was unhelpful", "the repair took weeks"), L("bad support", "slow repair"),
         L("How long did your %m repair take?"),
         L("I have escalated your case so that a senior technician contacts you directly.")},

    [DEMO_T_PERFORMANCE] =
        {DEMO_G_LAPTOP | DEMO_G_DESKTOP, true, false,
         L("Fast and responsive", "A performance beast", "Handles everything I throw at it",
           "Super fast", "Huge upgrade"),
         L("It boots in seconds and handles dozens of browser tabs without slowing down.",
           "Compiling code is about twice as fast as on my old machine.",
           "Photo and video editing is smooth even with 4K footage.",
           "Multitasking is effortless, even with a virtual machine running.",
           "Everything feels snappy, from opening apps to waking from sleep."),
         L("performance is excellent", "it's very fast", "it handles everything I do"),
         L("fast performance", "great performance")},
    [DEMO_T_DISPLAY] = {DEMO_G_LAPTOP | DEMO_G_MONITOR, true, false,
                        L("Gorgeous screen", "Stunning display", "Beautiful colours",
                          "Best display I've owned"),
                        L("The display is bright and sharp, and the colours are gorgeous.",
                          "Text is crisp and the screen is readable even outdoors.",
                          "Colour accuracy out of the box was good enough for my photo work.",
                          "Blacks are deep and HDR content looks fantastic.",
                          "No backlight bleed on my unit and the uniformity is excellent."),
                        L("the screen is gorgeous", "the display is bright and sharp",
                          "the colours are great"),
                        L("great screen", "stunning display", "lovely colours")},
    [DEMO_T_BUILD] = {DEMO_G_ALL, true, false,
                      L("Solid build quality", "Feels premium", "Built like a tank", "Well made"),
                      L("Build quality is excellent, with no flex anywhere.",
                        "It feels premium and sturdy in the hand.",
                        "Everything is well made and fits together tightly.",
                        "A year in, it still looks and works like new."),
                      L("it feels solid", "build quality is excellent"),
                      L("solid build", "premium feel")},
    [DEMO_T_BATTERY_LIFE] = {DEMO_G_LAPTOP, true, false,
                             L("All-day battery", "Amazing battery life", "Battery lasts forever",
                               "Great battery"),
                             L("I get %H hours of real work on a charge.",
                               "The battery easily lasts a full working day with some left over.",
                               "I leave the charger at home most days.",
                               "Standby drain is minimal; it's still at 95%% after a weekend."),
                             L("battery life is excellent", "the battery lasts all day"),
                             L("great battery", "all-day battery")},
    [DEMO_T_VALUE] = {DEMO_G_ALL, true, false,
                      L("Great value", "Excellent value for money", "Worth every penny",
                        "Can't beat it for the price"),
                      L("For the price it's hard to beat.",
                        "Much better value than comparable models from other brands.",
                        "I got it on sale and it's an absolute bargain.",
                        "You get premium features without the premium price."),
                      L("it's great value", "the price is right"), L("great value", "good price")},
    [DEMO_T_SUPPORT_GOOD] =
        {DEMO_G_ALL, true, false,
         L("Great support", "Support sorted it quickly", "Excellent customer service",
           "Fast warranty repair"),
         L("I had an issue in the first week and support replaced it within %n days.",
           "The support agent knew their stuff and fixed the problem on the first call.",
           "The warranty repair was painless: collected on Monday, back by Friday.",
           "Support followed up a week later to check everything was still fine."),
         L("support was excellent", "the warranty service was quick"),
         L("great support", "quick repair")},
    [DEMO_T_TYPING] = {DEMO_G_LAPTOP | DEMO_G_KEYBOARD, true, false,
                       L("Lovely keyboard", "Great to type on", "Best keyboard I've used",
                         "Satisfying keys"),
                       L("The keyboard is a joy to type on, with good travel and a crisp feel.",
                         "I type all day and my hands feel fine.",
                         "The backlight is even and has useful brightness levels.",
                         "The keys are quiet enough for an open-plan office."),
                       L("the keyboard is great to type on", "the keys feel crisp"),
                       L("great keyboard", "nice typing feel")},
    [DEMO_T_QUIET] = {DEMO_G_LAPTOP | DEMO_G_DESKTOP, true, false,
                      L("Whisper quiet", "Silent in daily use", "Quiet and cool",
                        "Can barely hear it"),
                      L("It's practically silent for office work; the fans rarely spin up.",
                        "Even under load it stays cool and quiet.", "I honestly forget it's on."),
                      L("it runs quiet", "it stays cool and quiet"),
                      L("quiet running", "cool and quiet running")},
    [DEMO_T_SETUP] = {DEMO_G_DESKTOP | DEMO_G_MONITOR | DEMO_G_DOCK | DEMO_G_KEYBOARD |
                          DEMO_G_MOUSE | DEMO_G_HEADSET | DEMO_G_CHARGER | DEMO_G_WEBCAM,
                      true, false,
                      L("Plug and play", "Easy setup", "Worked straight out of the box",
                        "No-fuss setup"),
                      L("Setup took five minutes and it worked straight away.",
                        "Plugged it in and everything was detected without installing anything.",
                        "The instructions were clear and everything needed was in the box."),
                      L("setup was painless", "it worked out of the box"),
                      L("easy setup", "plug and play")},
    [DEMO_T_PORTABILITY] = {DEMO_G_PORTABLE, true, false,
                            L("Perfect for travel", "Light and portable", "Great travel companion",
                              "Easy to carry"),
                            L("It's light enough that I barely notice it in my backpack.",
                              "Perfect for working on trains and in cafés.",
                              "Small and light, yet it does everything I need on the road."),
                            L("it's light and portable", "it travels well"),
                            L("light weight", "easy portability")},
    [DEMO_T_SHIPPING_FAST] = {DEMO_G_ALL, true, false,
                              L("Fast delivery", "Arrived early", "Quick shipping, well packed"),
                              L("Delivery was fast and it arrived a day early.",
                                "It was packed carefully and arrived in perfect condition."),
                              L("delivery was quick", "it arrived well packed"),
                              L("fast delivery", "quick shipping")},
    [DEMO_T_SOUND] = {DEMO_G_HEADSET, true, false,
                      L("Excellent sound", "Rich, clear audio", "Great for calls and music"),
                      L("Sound is rich and detailed, with punchy but not boomy bass.",
                        "The mic is clear; colleagues say I sound better than on my old headset.",
                        "Noise cancelling works well on the train."),
                      L("sound quality is excellent", "the mic is clear"),
                      L("great sound", "clear mic")},
    [DEMO_T_COMFORT] = {DEMO_G_HEADSET | DEMO_G_MOUSE | DEMO_G_KEYBOARD, true, false,
                        L("Very comfortable", "Comfortable for long sessions",
                          "Ergonomic and comfy"),
                        L("I can use it for a whole workday without discomfort.",
                          "The shape fits my hand perfectly and my wrist pain has gone.",
                          "It's light and comfortable even after hours of use."),
                        L("it's very comfortable", "it fits well"),
                        L("comfortable fit", "ergonomic shape")},
    [DEMO_T_CONNECTIVITY] =
        {DEMO_G_DOCK | DEMO_G_MONITOR | DEMO_G_DESKTOP, true, false,
         L("One cable does it all", "Plenty of ports", "Great connectivity"),
         L("One USB-C cable charges my laptop and runs two monitors, Ethernet and my keyboard.",
           "There are plenty of ports, so no more dongles.",
           "Hot-plugging works every time, even after sleep."),
         L("one cable does everything", "there are plenty of ports"),
         L("one-cable setup", "plenty of ports")},
    [DEMO_T_GAMING] = {DEMO_G_GAMING, true, false,
                       L("Great for gaming", "Smooth high-refresh gaming",
                         "Runs everything maxed out"),
                       L("It runs the latest games at high settings, well above 100 fps.",
                         "The high refresh rate makes fast shooters feel incredibly smooth.",
                         "Response time is great, with no noticeable ghosting."),
                       L("it's great for gaming", "games run smoothly"),
                       L("great for gaming", "smooth gaming")},
    [DEMO_T_CHARGING] = {DEMO_G_CHARGER, true, false,
                         L("Charges everything fast", "Tiny and powerful",
                           "Replaced three chargers"),
                         L("It charges my laptop at full speed and my phone at the same time.",
                           "It's half the size of the original charger and barely gets warm.",
                           "One brick replaced three chargers in my travel bag."),
                         L("it charges fast", "it's small and powerful"),
                         L("fast charging", "compact size")},
    [DEMO_T_PICTURE] = {DEMO_G_WEBCAM, true, false,
                        L("Sharp, clear picture", "Big upgrade for video calls"),
                        L("The picture is sharp and copes well with the window behind me.",
                          "Colleagues immediately noticed how much better I look on calls.",
                          "Autofocus is quick and the built-in mics are decent."),
                        L("the picture is sharp", "video quality is great"),
                        L("sharp picture", "great video")},
    [DEMO_T_TRACKING] = {DEMO_G_MOUSE, true, false,
                         L("Precise and responsive", "Tracks on any surface"),
                         L("Tracking is precise on every surface I've tried, even glass.",
                           "The clicks are crisp and the scroll wheel has a satisfying notch.",
                           "The battery lasts months between charges."),
                         L("tracking is precise", "the clicks are crisp"),
                         L("precise tracking", "crisp clicks")},
};

/* ---- people ------------------------------------------------------------- */

const struct demo_list demo__first_names =
    L("James", "Maria", "Wei", "Priya", "Olivia", "Liam", "Sofia", "Noah", "Aisha", "Lucas", "Emma",
      "Mateo", "Chloé", "Hiroshi", "Fatima", "Ethan", "Zoë", "José", "Anna", "Ben", "Carlos",
      "Deepa", "Elena", "Felix", "Grace", "Hannah", "Ivan", "Jasmine", "Kenji", "Laura", "Marcus",
      "Nadia", "Omar", "Paula", "Quinn", "Rahul", "Sarah", "Tom", "Uma", "Victor", "Wendy",
      "Xavier", "Yusuf", "Zara", "Łukasz", "Søren", "Jürgen", "Siobhán", "Renée", "Björn", "Mike",
      "Chris", "Dave", "Jen", "Kate", "Alex", "Sam", "Jordan", "Taylor", "Pat", "Ahmed", "Mei",
      "Arjun", "Ingrid", "Pierre", "Giulia", "Kofi", "Ngozi", "Tomás", "Anaïs", "Dmitri", "Yuki",
      "Leila", "Raj", "Gustavo", "Helen", "Brian", "Lisa", "Kevin", "Megan");

const struct demo_list demo__handles =
    L("tinkerbyte", "kernel_panic", "quietfan", "dockhunter", "pixelpeeper", "lapdog",
      "benchmarker", "coffeecoder", "retroboot", "nomad_dev", "ssd_surfer", "thermalpaste",
      "sysadmin_sue", "fps_hunter", "homelab_hank", "ultrabook_ula", "bios_whisperer", "usb_sea");

const struct demo_list demo__locations =
    L("Austin, TX", "Lyon, FR", "Denver, CO", "Portland, OR", "Toronto, ON", "Montréal, QC",
      "Manchester, UK", "Dublin, IE", "Berlin, DE", "München, DE", "Zürich, CH", "Kraków, PL",
      "São Paulo, BR", "Sydney, AU", "Auckland, NZ", "Bengaluru, IN", "Singapore, SG", "Tokyo, JP",
      "Seattle, WA", "Chicago, IL", "Boston, MA", "Atlanta, GA", "Raleigh, NC", "Madison, WI",
      "Phoenix, AZ", "San Diego, CA", "Brooklyn, NY", "Edinburgh, UK", "Göteborg, SE", "Oslo, NO",
      "Amsterdam, NL", "Gent, BE", "Milano, IT", "Madrid, ES", "Lisboa, PT", "Cape Town, ZA",
      "Mexico City, MX", "Vancouver, BC", "Helsinki, FI", "Wien, AT");

/* ---- review pieces ------------------------------------------------------ */

const struct demo_list demo__title_good =
    L("Love it", "Excellent", "Just what I needed", "Five stars", "Very happy", "Highly recommend",
      "Great %k", "Best %k I've owned", "Exceeded my expectations", "Solid choice");
const struct demo_list demo__title_bad =
    L("Avoid", "Disappointed", "Returned it", "Not worth the money", "Wouldn't buy again",
      "Save your money", "Stay away", "Lemon", "Frustrating %k");
const struct demo_list demo__title_mixed =
    L("%P, %C", "%P but %C", "Good %k, shame about the %C", "%P, let down by the %C");

const struct demo_list demo__open_good =
    L("Bought this for work and I'm very happy with it.",
      "Upgraded from my %n-year-old %k and the difference is night and day.",
      "I've had it for %w weeks now.", "Bought this for my daughter starting university.",
      "Replaced my old %k with this one.", "Using it daily for remote work.",
      "This is the second one I've bought.", "Our whole team switched to the %p last year.");
const struct demo_list demo__open_bad = L(
    "I really wanted to like this %k.", "Had high hopes after the reviews.",
    "Bought this %w weeks ago.", "My second %b product and probably my last.", "Disappointed.",
    "Used it for %n months before problems started.", "We bought a batch of these for the office.");
const struct demo_list demo__close[6] = {
    {0, 0},
    L("Returning it.", "Avoid.", "Waiting on a refund now.", "Would not recommend.",
      "Very disappointed.", "Save your money."),
    L("Not what I expected for the price.", "Would think twice before buying again.",
      "Hoping a fix comes soon.", "Can't recommend it as it stands."),
    L("It's okay, but I expected more.", "Decent, but not great.", "Mixed feelings overall.",
      "Not sure I'd buy it again."),
    L("Overall very happy.", "Minor gripes aside, recommended.", "Almost perfect.",
      "Would still recommend it."),
    L("Highly recommend.", "Would buy again.", "Very happy with it.", "Couldn't be happier.",
      "Recommended 👍"),
};
const struct demo_list demo__nitpick = L("Only gripe: %C.", "My one complaint is that %C.",
                                         "Minor downside: %C.", "If I had to nitpick, %C.");
const struct demo_list demo__mixed =
    L("%P, but %C.", "%P; shame %C.", "%P, although %C.", "%C, though to be fair %P.");

/* ---- forum mentions ----------------------------------------------------- */

const struct demo_list demo__ask_good =
    L("Long-term review: %p after %n months", "%p vs the previous generation — worth upgrading?",
      "Just got my %m — first impressions", "Is the %p a good pick for a student?",
      "%p owners: what settings do you use?");
const struct demo_list demo__forum =
    L("Running the latest BIOS and drivers from the support site.",
      "It happens on battery and when plugged in.", "Support suggested a reset, which didn't help.",
      "Posting here in case someone found a workaround.", "Mine is about %n months old.",
      "Edit: a clean install seems to have helped a bit.",
      "Curious whether this is a bad batch or a design issue.", "Any tips appreciated.",
      "Happy to share logs if anyone from %b is reading.");

/* ---- brand responses ---------------------------------------------------- */

const struct demo_list demo__greet = L("Hi %a,", "Hello %a,", "Dear %a,");
const struct demo_list demo__sorry =
    L("thank you for taking the time to review the %p, and I'm sorry it has let you down.",
      "we're sorry to hear about the trouble with your %k.",
      "thanks for your feedback; this is not the experience we want anyone to have with the %p.");
const struct demo_list demo__answer_any =
    L("We would like to look into this for you.", "Our engineers review every report like yours.");
const struct demo_list demo__sign_off =
    L("Please contact us at support.example.com with your order number and we'll take it from "
      "there.",
      "Please send us a private message with your serial number so we can arrange a repair.",
      "Reply to this message with your case number and I'll follow up personally.");

/* ---- regressions after a release ------------------------------------------ */

const struct demo_list demo__regress =
    L("It started right after I installed %V.", "Everything was fine until the %V update.",
      "Since %V it has been like this every day.",
      "The support app pushed %V last month and the problem began the same week.",
      "Rolling back from %V isn't offered, so I'm stuck with it.",
      "Since updating to %V it's noticeably worse.");
const struct demo_list demo__regress_titles = L("Broken since %V", "%V update made it worse",
                                                "Don't install %V", "Fine until %V, now a problem");
const struct demo_list demo__regress_asks =
    L("Problems since %V on the %m?", "Should I roll back %V on my %m?",
      "%m after %V — anyone else?");

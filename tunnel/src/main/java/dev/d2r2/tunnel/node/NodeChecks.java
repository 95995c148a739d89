package dev.d2r2.tunnel.node;

import dev.d2r2.core.Cidr;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;

/** The checks EN and DN configurations share; each failure names its key. */
final class NodeChecks {
    static final int DEFAULT_MTU = 1400;

    private NodeChecks() {
    }

    static void name(String name) {
        if (name == null || name.isBlank() || name.length() > 64) {
            throw new InvalidAt("a name of 1 to 64 characters is required", "name");
        }
    }

    static void required(String value, Object... path) {
        if (value == null || value.isBlank()) {
            throw new InvalidAt("required", path);
        }
    }

    /** A node's keys come from the master key file or from its d2r2 identity, not both. */
    static void keyOrIdentity(String key, String identity) {
        if (key != null && identity != null) {
            throw new InvalidAt("key (the master key file) or identity (a d2r2 identity file), not both", "identity");
        }
        if (key == null) {
            required(identity, "identity");
        } else {
            required(key, "key");
        }
    }

    static void device(String device) {
        required(device, "device");
        device(device, "device");
    }

    static void device(String device, String key) {
        if (device.length() > 15 || !device.matches("[A-Za-z0-9_.-]+")) {
            throw new InvalidAt("an interface name has 1 to 15 letters, digits, '-', '_' or '.': " + device, key);
        }
    }

    static void mtu(Integer mtu) {
        if (mtu != null && (mtu < 576 || mtu > 9000)) {
            throw new InvalidAt("an MTU is between 576 and 9000, not " + mtu, "mtu");
        }
    }

    static void hostPort(String text, String key) {
        try {
            HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), key);
        }
    }

    static Cidr ipv4Cidr(String text, Object... path) {
        if (text == null) {
            throw new InvalidAt("required (an IPv4 CIDR such as 10.77.1.0/24)", path);
        }
        Cidr c;
        try {
            c = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), path);
        }
        if (!c.isIpv4()) {
            throw new InvalidAt("tunnel addresses are IPv4: " + text, path);
        }
        return c;
    }

    static void positive(Duration d, String key) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new InvalidAt("must be positive", key);
        }
    }
}

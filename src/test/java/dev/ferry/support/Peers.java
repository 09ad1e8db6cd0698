package dev.ferry.support;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;

/**
 * Real peers (redis-server, redis-cli, redis-benchmark) from Debian's packages. A test that needs one
 * skips with a visible reason when it is missing, unless PEERS_REQUIRED=true (set by .ci/run) or
 * -Dpeers.required=true, where the absence is a failure.
 */
public final class Peers {
    private Peers() {}

    static boolean required() {
        return Boolean.getBoolean("peers.required") || "true".equalsIgnoreCase(System.getenv("PEERS_REQUIRED"));
    }

    public static String require(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            File f = new File(dir, binary);
            if (f.canExecute()) return f.getAbsolutePath();
        }
        missing(binary + " is not installed (apt-get install -y redis-server redis-tools)");
        return null;
    }

    /**
     * A non-loopback IPv4 address of this machine, for a client that must not look local to a server bound to
     * 0.0.0.0; none is a missing peer (skipped, or a failure when peers are required).
     */
    public static String externalAddress() throws java.net.SocketException {
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) continue;
            for (java.net.InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) return a.getHostAddress();
            }
        }
        missing("this machine has no non-loopback IPv4 address");
        return null;
    }

    /** Skips the test with why, or fails it when peers are required. */
    static void missing(String why) {
        if (required()) Assertions.fail(why + ", and PEERS_REQUIRED=true makes that a failure");
        Assumptions.abort("SKIPPED: " + why);
    }
}

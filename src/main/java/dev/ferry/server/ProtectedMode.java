package dev.ferry.server;

import dev.ferry.engine.config.ServerSettings;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Redis's protected mode: while protected-mode is on and the default user has no password (no requirepass), a
 * client that does not connect from 127.0.0.1 or ::1 is sent {@link #DENIED} and disconnected. It guards the
 * server that was bound to every address by mistake (ferry.bind=0.0.0.0 in a container) and never given a
 * password. The loopback test is Redis's exactly (those two addresses, not all of 127/8).
 */
final class ProtectedMode {
    private ProtectedMode() {}

    /** Redis 7.0's words, byte for byte (its typo "Setup a an" included: clients and runbooks match on them). */
    static final String DENIED = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set "
        + "for the default user. In this mode connections are only accepted from the loopback interface. If you want to "
        + "connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected "
        + "mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
        + "the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
        + "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by "
        + "editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the "
        + "server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' "
        + "option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above "
        + "things in order for the server to start accepting connections from the outside.\r\n";

    static boolean denies(ServerSettings settings, SocketAddress peer) {
        if (!settings.protectedMode || settings.requirepass != null) return false;
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) return false; // not TCP: local
        InetAddress a = inet.getAddress();
        byte[] b = a.getAddress();
        boolean ipv4Loopback = b.length == 4 && b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1;
        boolean ipv6Loopback = b.length == 16 && a.isLoopbackAddress(); // ::1 is the only IPv6 loopback
        return !ipv4Loopback && !ipv6Loopback;
    }
}
